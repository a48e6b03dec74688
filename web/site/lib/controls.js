// SPDX-License-Identifier: MIT
// Labelled, keyboard-operable form controls for widgets. Each returns { element, set(value) } and
// reports user changes through onChange(value); the caller normalises the value (lib/state.js) and
// calls set() with the result, so the controls always show the state actually drawn.
import { h, uid } from './dom.js';

/**
 * A slider with a number field, for a numeric setting of schema `spec` ({ min, max, step? }).
 * scale 'log' makes the slider logarithmic (the field still holds the plain value).
 * The slider reports while it moves; the field when committed (Enter, blur or its arrows).
 */
export function sliderField({ label, hint, spec, scale = 'linear', onChange }) {
  const id = uid('field');
  const labelId = `${id}-label`;
  const log = scale === 'log';
  const range = h('input', {
    type: 'range',
    'aria-labelledby': labelId,
    min: log ? Math.log10(spec.min) : spec.min,
    max: log ? Math.log10(spec.max) : spec.max,
    step: log ? 0.01 : (spec.step ?? 1),
  });
  const field = h('input', {
    type: 'number',
    id,
    min: spec.min,
    max: spec.max,
    step: spec.type === 'int' ? (spec.step ?? 1) : 'any',
    inputmode: spec.type === 'int' ? 'numeric' : 'decimal',
    'aria-describedby': hint ? `${id}-hint` : undefined,
  });
  const element = h('div', { class: 'control' },
    h('label', { for: id, id: labelId }, label),
    h('div', { class: 'control-inputs' }, range, field),
    hint ? h('small', { id: `${id}-hint`, class: 'control-hint' }, hint) : null);

  let current = spec.default;
  const fromRange = () => {
    const x = range.valueAsNumber;
    return log ? Number((10 ** x).toPrecision(3)) : x;
  };
  const onRange = () => onChange(fromRange());
  const onField = () => {
    const v = field.valueAsNumber;
    if (Number.isNaN(v)) field.value = String(current);  // empty or not a number: undo
    else onChange(v);
  };
  range.addEventListener('input', onRange);
  field.addEventListener('change', onField);

  return {
    element,
    set(value) {
      current = value;
      if (field.value !== String(value)) field.value = String(value);
      const r = log ? Math.log10(value) : value;
      if (fromRange() !== value) range.value = String(r);
    },
  };
}

/** A drop-down of fixed choices [{ value, label }]. */
export function selectField({ label, hint, choices, onChange }) {
  const id = uid('field');
  const select = h('select', { id, 'aria-describedby': hint ? `${id}-hint` : undefined },
    choices.map((c) => h('option', { value: c.value }, c.label)));
  const element = h('div', { class: 'control' },
    h('label', { for: id }, label),
    h('div', { class: 'control-inputs' }, select),
    hint ? h('small', { id: `${id}-hint`, class: 'control-hint' }, hint) : null);
  select.addEventListener('change', () => onChange(select.value));
  return {
    element,
    set(value) {
      if (select.value !== value) select.value = value;
    },
  };
}
