// SPDX-License-Identifier: MIT
// Labelled, keyboard-operable form controls for widgets. Each returns { element, set(value) } and
// reports user changes through onChange(value); the caller normalises the value (lib/state.js) and
// calls set() with the result, so the controls always show the state actually drawn.
import { h, uid } from './dom.js';

function wrap(id, label, hint, ...inputs) {
  return h('div', { class: 'control' },
    h('label', { for: id, id: `${id}-label` }, label),
    h('div', { class: 'control-inputs' }, ...inputs),
    hint ? h('small', { id: `${id}-hint`, class: 'control-hint' }, hint) : null);
}

/**
 * A number field's committed value: not a number (or empty) is undone; otherwise reported, and the
 * field then shows the value actually drawn (the widget may have rounded or clamped it, e.g. d 63 -> 64,
 * and a state equal to the one drawn does not draw again, so set() would not be called).
 */
function commit(field, onChange, current) {
  const v = field.valueAsNumber;
  if (!Number.isNaN(v)) onChange(v);
  if (field.value !== String(current())) field.value = String(current());
}

/**
 * A slider with a number field, for a numeric setting of schema `spec` ({ min, max, step? }).
 * scale 'log' makes the slider logarithmic (the field still holds the plain value).
 * The slider reports while it moves; the field when committed (Enter, blur or its arrows).
 */
export function sliderField({ label, hint, spec, scale = 'linear', onChange }) {
  const id = uid('field');
  const log = scale === 'log';
  const range = h('input', {
    type: 'range',
    'aria-labelledby': `${id}-label`,
    min: log ? Math.log10(spec.min) : spec.min,
    max: log ? Math.log10(spec.max) : spec.max,
    step: log ? 0.01 : (spec.step ?? (spec.type === 'int' ? 1 : 'any')),
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
  const element = wrap(id, label, hint, range, field);
  let current = spec.default;
  const fromRange = () => {
    const x = range.valueAsNumber;
    return log ? Number((10 ** x).toPrecision(3)) : x;
  };
  // A log slider's value is the exponent: screen readers announce the plain number instead.
  const announce = () => { if (log) range.setAttribute('aria-valuetext', String(current)); };
  range.addEventListener('input', () => { onChange(fromRange()); announce(); });
  field.addEventListener('change', () => commit(field, onChange, () => current));
  return {
    element,
    set(value) {
      current = value;
      if (field.value !== String(value)) field.value = String(value);
      if (fromRange() !== value) range.value = String(log ? Math.log10(value) : value);
      announce();
    },
  };
}

/** A number field alone (for values too wide for a slider, e.g. a position up to 4096). */
export function numberField({ label, hint, spec, onChange }) {
  const id = uid('field');
  const field = h('input', {
    type: 'number', id, min: spec.min, max: spec.max,
    step: spec.type === 'int' ? (spec.step ?? 1) : 'any',
    inputmode: spec.type === 'int' ? 'numeric' : 'decimal',
    'aria-describedby': hint ? `${id}-hint` : undefined,
  });
  let current = spec.default;
  field.addEventListener('change', () => commit(field, onChange, () => current));
  return {
    element: wrap(id, label, hint, field),
    set(value) {
      current = value;
      if (field.value !== String(value)) field.value = String(value);
    },
  };
}

/** A drop-down of fixed choices [{ value, label }], some of them possibly in groups { group, choices }. */
export function selectField({ label, hint, choices, onChange }) {
  const id = uid('field');
  const option = (c) => h('option', { value: c.value }, c.label);
  const select = h('select', { id, 'aria-describedby': hint ? `${id}-hint` : undefined },
    choices.map((c) => (c.group ? (c.choices.length ? h('optgroup', { label: c.group }, c.choices.map(option)) : null) : option(c))));
  select.addEventListener('change', () => onChange(select.value));
  return {
    element: wrap(id, label, hint, select),
    set(value) {
      if (select.value !== value) select.value = value;
    },
  };
}

/** A checkbox (a switch in look) for a boolean setting. */
export function checkboxField({ label, hint, onChange }) {
  const id = uid('field');
  const box = h('input', { type: 'checkbox', id, 'aria-describedby': hint ? `${id}-hint` : undefined });
  box.addEventListener('change', () => onChange(box.checked));
  const element = h('div', { class: 'control control-check' },
    h('div', { class: 'control-inputs' }, box, h('label', { for: id }, label)),
    hint ? h('small', { id: `${id}-hint`, class: 'control-hint' }, hint) : null);
  return {
    element,
    set(value) {
      if (box.checked !== value) box.checked = value;
    },
  };
}

/** A one-line text field, committed on Enter or blur. */
export function textField({ label, hint, maxLength, onChange }) {
  const id = uid('field');
  const input = h('input', { type: 'text', id, maxlength: maxLength, spellcheck: 'false', autocomplete: 'off',
    'aria-describedby': hint ? `${id}-hint` : undefined });
  input.addEventListener('change', () => onChange(input.value));
  const element = wrap(id, label, hint, input);
  element.classList.add('control-wide');
  return {
    element,
    set(value) {
      if (input.value !== value) input.value = value;
    },
  };
}

/** A multi-line text area with an Apply button (and Ctrl/Cmd+Enter). */
export function textAreaField({ label, hint, maxLength, rows = 8, applyLabel, placeholder, onChange }) {
  const id = uid('field');
  const area = h('textarea', { id, rows, maxlength: maxLength, spellcheck: 'false', autocomplete: 'off',
    placeholder, 'aria-describedby': hint ? `${id}-hint` : undefined });
  const apply = h('button', { type: 'button', class: 'button' }, applyLabel);
  apply.addEventListener('click', () => onChange(area.value));
  area.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) onChange(area.value);
  });
  const element = h('div', { class: 'control control-wide' },
    h('label', { for: id }, label), area, h('div', { class: 'control-row' }, apply),
    hint ? h('small', { id: `${id}-hint`, class: 'control-hint' }, hint) : null);
  return {
    element,
    area,
    set(value) {
      if (area.value !== value) area.value = value;
    },
  };
}

/** A plain button. */
export function button(label, onClick, props = {}) {
  const b = h('button', { type: 'button', class: 'button', ...props }, label);
  b.addEventListener('click', onClick);
  return b;
}
