// SPDX-License-Identifier: MIT
// Argument checking for every public function. Each failure throws a TypeError (wrong kind of
// value) or a RangeError (right kind, outside its domain) whose message starts with the function's
// name and names the parameter, e.g. "posenc.sinusoidal: length must be an integer >= 1, got -3".

/** A short, safe description of a value for an error message (never the value's own toString). */
export function describe(value) {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'number': return Object.is(value, -0) ? '-0' : String(value);
    case 'string': return JSON.stringify(value.length > 40 ? value.slice(0, 40) + '...' : value);
    case 'bigint': return `${value}n`;
    case 'undefined': case 'boolean': return String(value);
    case 'function': return 'a function';
    case 'symbol': return 'a symbol';
    default:
      if (Array.isArray(value)) return 'an array';
      if (ArrayBuffer.isView(value)) return `a ${value.constructor.name}`;
      return 'an object';
  }
}

/**
 * Check that `value` is an options object whose keys are all in `allowed` (a misspelt option is an
 * error, not a silently ignored default). Returns the object.
 */
export function options(where, value, allowed, name = 'options') {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || ArrayBuffer.isView(value)) {
    throw new TypeError(`${where}: ${name} must be an object, got ${describe(value)}`);
  }
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      throw new TypeError(`${where}: unknown option ${JSON.stringify(key)} (expected one of ${allowed.join(', ')})`);
    }
  }
  return value;
}

/** An integer in [min, max]; `fallback` when undefined and a fallback is given. */
export function integer(where, name, value, { min, max, fallback } = {}) {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'number') throw new TypeError(`${where}: ${name} must be a number, got ${describe(value)}`);
  if (!Number.isInteger(value)) throw new RangeError(`${where}: ${name} must be an integer, got ${describe(value)}`);
  if (min !== undefined && value < min) throw new RangeError(`${where}: ${name} must be an integer >= ${min}, got ${describe(value)}`);
  if (max !== undefined && value > max) throw new RangeError(`${where}: ${name} must be an integer <= ${max}, got ${describe(value)}`);
  return value;
}

/** A finite number with optional bounds (`above` is exclusive); `fallback` when undefined. */
export function number(where, name, value, { above, min, max, fallback } = {}) {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'number') throw new TypeError(`${where}: ${name} must be a number, got ${describe(value)}`);
  if (!Number.isFinite(value)) throw new RangeError(`${where}: ${name} must be a finite number, got ${describe(value)}`);
  if (above !== undefined && !(value > above)) throw new RangeError(`${where}: ${name} must be > ${above}, got ${describe(value)}`);
  if (min !== undefined && value < min) throw new RangeError(`${where}: ${name} must be >= ${min}, got ${describe(value)}`);
  if (max !== undefined && value > max) throw new RangeError(`${where}: ${name} must be <= ${max}, got ${describe(value)}`);
  return value;
}

/** One of a fixed set of strings; returns the string. */
export function oneOf(where, name, value, choices, fallback) {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'string') throw new TypeError(`${where}: ${name} must be a string, got ${describe(value)}`);
  if (!choices.includes(value)) {
    throw new RangeError(`${where}: ${name} must be one of ${choices.map((c) => `'${c}'`).join(', ')}, got ${describe(value)}`);
  }
  return value;
}
