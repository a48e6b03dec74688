// SPDX-License-Identifier: MIT
// The page's settings, kept in the URL hash: #lang=ja&rope.pos=12&alibi.heads=12.
//
// A schema gives each setting a type, a default and its range:
//   { type: 'int', default, min, max, step? }   integers; with step, min + k*step (e.g. even dims)
//   { type: 'number', default, min, max }       finite numbers
//   { type: 'enum', default, values: [...] }    one of fixed strings
//   { type: 'bool', default }                   '1' / '0' in the URL ('true' / 'false' accepted)
//   { type: 'string', default, maxLength }      free text (a sentence, a config.json); only ever
//                                               shown with textContent or parsed, never as HTML
// parse() turns any hash, however hostile, into a valid state: unknown keys are dropped, values
// that are not numbers or not allowed fall back to the default, numbers out of range (including
// 1e309 = Infinity) are clamped, text is cut to maxLength and stripped of control characters.
// The hash holds only the settings that differ from their defaults, so links stay short; a key
// always means the same setting, so a link restores the view exactly.
// createStore() is the only code of the site that reads location.hash.

const NUMERIC = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;
const MAX_VALUE_CHARS = 64;
export const MAX_HASH_CHARS = 16384;
// C0/C1 controls except tab and newline, and the Unicode bidi overrides.
const CONTROL_CHARS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** A valid value for `spec` from `raw`: a string from the URL or a value from a control. */
export function coerce(spec, raw) {
  switch (spec.type) {
    case 'int':
    case 'number': {
      let v;
      if (typeof raw === 'number') v = raw;
      else if (typeof raw === 'string' && raw.length <= MAX_VALUE_CHARS && NUMERIC.test(raw.trim())) v = Number(raw.trim());
      else return spec.default;
      if (Number.isNaN(v)) return spec.default;
      v = Math.min(spec.max, Math.max(spec.min, v));
      if (spec.type === 'int') {
        const step = spec.step ?? 1;
        v = spec.min + Math.round((v - spec.min) / step) * step;
        if (v > spec.max) v -= step;
      }
      return v === 0 ? 0 : v;  // no -0
    }
    case 'enum':
      return typeof raw === 'string' && spec.values.includes(raw) ? raw : spec.default;
    case 'bool':
      if (typeof raw === 'boolean') return raw;
      if (raw === '1' || raw === 'true') return true;
      if (raw === '0' || raw === 'false') return false;
      return spec.default;
    case 'string':
      if (typeof raw !== 'string') return spec.default;
      return raw.replace(CONTROL_CHARS, '').slice(0, spec.maxLength);
    default:
      throw new TypeError(`state: unknown type ${String(spec.type)}`);
  }
}

/** The schema's defaults. */
export function defaults(schema) {
  return normalise(schema, {});
}

/** A complete, valid, frozen state from `values` (missing keys take their default). */
export function normalise(schema, values) {
  const out = {};
  for (const [key, spec] of Object.entries(schema)) {
    const raw = values != null && Object.hasOwn(values, key) ? values[key] : undefined;
    out[key] = raw === undefined ? spec.default : coerce(spec, raw);
  }
  return Object.freeze(out);
}

/** The URL text of one value. */
function text(spec, value) {
  return spec.type === 'bool' ? (value ? '1' : '0') : String(value);
}

/** The state a hash ('#a=1&b=2' or 'a=1&b=2') stands for. */
export function parse(schema, hash) {
  const params = new URLSearchParams(String(hash).slice(0, MAX_HASH_CHARS).replace(/^#/, ''));
  const values = {};
  for (const key of Object.keys(schema)) {
    const raw = params.get(key);
    if (raw !== null) values[key] = raw;
  }
  return normalise(schema, values);
}

/** The hash of a state without the leading '#': the non-default values, in schema order. */
export function serialise(schema, state, { all = false } = {}) {
  const s = normalise(schema, state);
  const params = new URLSearchParams();
  for (const [key, spec] of Object.entries(schema)) {
    if (all || s[key] !== spec.default) params.set(key, text(spec, s[key]));
  }
  return params.toString();
}

/** The schema of one widget under a key prefix: { pos } -> { 'rope.pos' }. */
export function prefixed(prefix, schema) {
  return Object.fromEntries(Object.entries(schema).map(([k, v]) => [`${prefix}.${k}`, v]));
}

/** The values of `state` under `prefix`, without it. */
export function unprefixed(prefix, state) {
  const out = {};
  const p = `${prefix}.`;
  for (const [k, v] of Object.entries(state)) if (k.startsWith(p)) out[k.slice(p.length)] = v;
  return out;
}

/** Attribute form of a widget state (custom elements): the non-default values as [name, text]. */
export function attributes(schema, state) {
  const s = normalise(schema, state);
  return Object.entries(schema).filter(([k, spec]) => s[k] !== spec.default).map(([k, spec]) => [k, text(spec, s[k])]);
}

/**
 * A store of the state, synchronised with the URL hash of `window`:
 * on creation the state is read from the hash and the hash is rewritten in canonical form;
 * set() updates the state at once and the hash shortly after (history.replaceState, debounced so
 * that dragging a slider does not flood the history API); a hashchange (the user edits the URL)
 * replaces the state. Subscribers get every new state.
 */
export function createStore(schema, { window: win = globalThis.window, writeDelay = 120 } = {}) {
  const listeners = new Set();
  let state = parse(schema, win.location.hash);
  let timer = 0;

  const write = () => {
    if (timer) win.clearTimeout(timer);
    timer = 0;
    const s = serialise(schema, state);
    const hash = s ? `#${s}` : '';
    if (win.location.hash !== hash) {
      const url = new URL(win.location.href);
      url.hash = hash;
      win.history.replaceState(win.history.state, '', hash ? url.href : url.href.replace(/#$/, ''));
    }
  };
  const emit = () => {
    for (const fn of [...listeners]) fn(state);
  };
  const onHashChange = () => {
    state = parse(schema, win.location.hash);
    write();
    emit();
  };

  write();
  win.addEventListener('hashchange', onHashChange);
  win.addEventListener('pagehide', write);

  return {
    schema,
    get: () => state,
    /** Merge `partial` into the state (normalised), notify subscribers, update the hash soon. */
    set(partial) {
      state = normalise(schema, { ...state, ...partial });
      if (timer) win.clearTimeout(timer);
      timer = win.setTimeout(write, writeDelay);
      emit();
    },
    /** Write the hash now (tests and link copying). */
    flush: write,
    subscribe(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    destroy() {
      write();
      listeners.clear();
      win.removeEventListener('hashchange', onHashChange);
      win.removeEventListener('pagehide', write);
    },
  };
}
