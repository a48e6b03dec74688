// SPDX-License-Identifier: MIT
// Argument checking for every public function. Each failure throws a TypeError (wrong kind of
// value) or a RangeError (right kind, outside its domain) whose message starts with the function's
// name and names the parameter, e.g. "posenc.sinusoidal: length must be an integer >= 1, got -3".
import { Tensor, firstNonFinite, usable } from './tensor.js';

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
      if (value instanceof Tensor) return `a ${value.dtype} tensor`;
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

const FLOAT_SOURCES = 'a Float32Array, Float64Array or array of numbers (or a tensor)';

function checkLength(where, name, array, length) {
  if (length !== undefined && array.length !== length) {
    throw new RangeError(`${where}: ${name} must have ${length} elements, got ${array.length}`);
  }
}

/**
 * Numeric data as a Float32Array (a Float32Array is used as is, a Float64Array or plain array of
 * numbers is converted). `length`: required element count. `finite` (default true): NaN or
 * infinite elements are a RangeError naming the first one. A tensor is copied out, unless
 * `resident` (the caller hands the result to call() of lib/runtime.js, which reads the tensor where
 * it lives): then a float32 tensor is returned as is (finite: scanned inside the module).
 */
export function floats(where, name, value, opts) {
  return typed(Float32Array, Float64Array, where, name, value, opts);
}

/** Like floats(), but kept in float64 (a Float64Array is used as is). */
export function doubles(where, name, value, opts) {
  return typed(Float64Array, Float32Array, where, name, value, opts);
}

const DTYPE = new Map([[Float32Array, 'float32'], [Float64Array, 'float64'], [Int32Array, 'int32'], [Uint8Array, 'uint8']]);

/** A tensor's values as a new array: its own dtype's array, or as `Type` when `Other` is its dtype. */
function unpack(where, name, value, Type, Other) {
  usable(where, name, value);
  const dtype = DTYPE.get(Type);
  if (value.dtype !== dtype && value.dtype !== DTYPE.get(Other)) {
    throw new TypeError(`${where}: ${name} must be a ${dtype} tensor, got a ${value.dtype} tensor`);
  }
  return value.dtype === dtype ? value.toArray() : Type.from(value.data);
}

function typed(Type, Other, where, name, value, { length, finite = true, resident = false } = {}) {
  let out;
  if (value instanceof Tensor && resident && usable(where, name, value).dtype === DTYPE.get(Type)) {
    checkLength(where, name, value, length);
    if (finite) {
      const i = firstNonFinite(value);
      if (i >= 0) throw new RangeError(`${where}: ${name}[${i}] must be finite, got ${describe(value.data[i])}`);
    }
    return value;
  }
  if (value instanceof Tensor) out = unpack(where, name, value, Type, Other);
  else if (value instanceof Type) out = value;
  else if (value instanceof Other || (Array.isArray(value) && value.every((x) => typeof x === 'number'))) {
    out = Type.from(value);
  } else {
    throw new TypeError(`${where}: ${name} must be ${FLOAT_SOURCES}, got ${describe(value)}`);
  }
  checkLength(where, name, out, length);
  if (finite) {
    for (let i = 0; i < out.length; i++) {
      if (!Number.isFinite(out[i])) throw new RangeError(`${where}: ${name}[${i}] must be finite, got ${describe(out[i])}`);
    }
  }
  return out;
}

/**
 * Where a function writes its result: undefined (a new array), a typed array of `Type` with `count`
 * elements (filled and returned), or a tensor of that dtype and length (written where it lives).
 * The tensor's instance is checked by call() in lib/runtime.js.
 */
export function outTarget(where, value, Type, count) {
  if (value === undefined) return undefined;
  const dtype = DTYPE.get(Type);
  if (value instanceof Tensor) {
    usable(where, 'out', value);
    if (value.dtype !== dtype) throw new TypeError(`${where}: out must be a ${dtype} tensor, got a ${value.dtype} tensor`);
  } else if (!(value instanceof Type)) {
    throw new TypeError(`${where}: out must be a ${Type.name} or a ${dtype} tensor, got ${describe(value)}`);
  }
  if (value.length !== count) throw new RangeError(`${where}: out must have ${count} elements, got ${value.length}`);
  return value;
}

/**
 * Integers as an Int32Array (an Int32Array is used as is; a plain array of integers is converted),
 * each within [min, max] when given.
 */
export function ints(where, name, value, { length, min, max } = {}) {
  let out;
  if (value instanceof Int32Array) out = value;
  else if (value instanceof Tensor) out = unpack(where, name, value, Int32Array, Int32Array);
  else if (Array.isArray(value)) {
    value.forEach((x, i) => {
      if (typeof x !== 'number') throw new TypeError(`${where}: ${name}[${i}] must be a number, got ${describe(x)}`);
      if (!Number.isInteger(x) || x < -(2 ** 31) || x > 2 ** 31 - 1) {
        throw new RangeError(`${where}: ${name}[${i}] must be a 32-bit integer, got ${describe(x)}`);
      }
    });
    out = Int32Array.from(value);
  } else {
    throw new TypeError(`${where}: ${name} must be an Int32Array or array of integers (or an int32 tensor), got ${describe(value)}`);
  }
  checkLength(where, name, out, length);
  for (let i = 0; i < out.length; i++) {
    if ((min !== undefined && out[i] < min) || (max !== undefined && out[i] > max)) {
      throw new RangeError(`${where}: ${name}[${i}] must be in [${min ?? '-inf'}, ${max ?? 'inf'}], got ${out[i]}`);
    }
  }
  return out;
}

/** A boolean; `fallback` when undefined. */
export function bool(where, name, value, fallback) {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'boolean') throw new TypeError(`${where}: ${name} must be true or false, got ${describe(value)}`);
  return value;
}
