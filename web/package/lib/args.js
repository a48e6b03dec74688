// SPDX-License-Identifier: MIT
// Argument checking for every public function. Each failure throws a TypeError (wrong kind of
// value) or a RangeError (right kind, outside its domain) whose message starts with the function's
// name and names the parameter, e.g. "posenc.sinusoidal: length must be an integer >= 1, got -3".

import { MAX_OUTPUT_BYTES } from './runtime.js';
import { copyOut, firstNonFinite, tensorState, usable } from './tensor.js';

// The intrinsic getters of %TypedArray%.prototype read a typed array's internal slots: they work on
// arrays of any realm (an iframe's, node:vm's) and never run user code (a subclass's or a Proxy's
// overrides are not consulted). Captured once, so later changes to the globals do not reach them.
/**
 * The own properties of an internal settings object (e.g. { min, max }) in an object without a
 * prototype: a key it leaves out reads as undefined even when Object.prototype has been given one.
 */
export const own = (settings) => Object.assign(Object.create(null), settings);

const TYPED_PROTO = Object.getPrototypeOf(Uint8Array.prototype);
const intrinsic = (key) => {
  const get = Object.getOwnPropertyDescriptor(TYPED_PROTO, key).get;
  return (value) => Reflect.apply(get, value, []);
};
/** 'Float32Array', 'Int32Array', ... for a typed array of any realm; undefined for anything else. */
const tagOf = intrinsic(Symbol.toStringTag);
const lengthOf = intrinsic('length');
const bufferOf = intrinsic('buffer');
const offsetOf = intrinsic('byteOffset');
const TYPED = own({ Float32Array, Float64Array, Int32Array, Uint8Array });
const isArray = Array.isArray;
const keysOf = Object.keys;

/** Longest description of a value or key put into a message. */
const MAX_SHOWN = 40;

/**
 * A short, safe description of a value for an error message: it never calls user code (no
 * toString, valueOf, getter or Proxy trap) and is at most a few dozen characters.
 */
export function describe(value) {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'number': return Object.is(value, -0) ? '-0' : String(value);
    case 'string': return JSON.stringify(value.length > MAX_SHOWN ? `${value.slice(0, MAX_SHOWN)}...` : value);
    case 'bigint': return value >= -(10n ** 15n) && value <= 10n ** 15n ? `${value}n` : 'a BigInt';
    case 'undefined': case 'boolean': return String(value);
    case 'function': return 'a function';
    case 'symbol': return 'a symbol';
    default: {
      const tensor = tensorState(value);
      if (tensor !== undefined) return `a ${tensor.dtype} tensor`;
      const tag = tagOf(value);
      if (tag !== undefined) return `${/^[AEIOU]/.test(tag) ? 'an' : 'a'} ${tag}`;
      try {
        return isArray(value) ? 'an array' : 'an object';
      } catch {
        return 'a revoked Proxy';
      }
    }
  }
}

/** Is `e` an error this function (`where`) already reported? (Read without running user code.) */
function reported(where, e) {
  try {
    const proto = Object.getPrototypeOf(e);
    return (proto === TypeError.prototype || proto === RangeError.prototype)
      && Object.getOwnPropertyDescriptor(e, 'message').value.startsWith(`${where}: `);
  } catch {
    return false;
  }
}

/**
 * Run `read`, which reads the user's value `name`; whatever it throws (a getter or Proxy trap that
 * throws, a revoked Proxy, a chain of Proxies too deep for the stack) becomes a TypeError naming
 * `name`. This function's own errors pass through.
 */
export function readSafely(where, name, read) {
  try {
    return read();
  } catch (e) {
    if (reported(where, e)) throw e;
    throw new TypeError(`${where}: ${name} could not be read (a getter or Proxy trap threw, or a Proxy was revoked)`, { cause: e });
  }
}

/**
 * Run `fn`, which calls another posenc function (`from`); its errors are rethrown as this
 * function's (same class and text, `where` in front).
 */
export function relabel(where, from, fn) {
  try {
    return fn();
  } catch (e) {
    if (reported(from, e)) throw new e.constructor(`${where}: ${e.message.slice(from.length + 2)}`);
    throw e;
  }
}

/** Is `value` an array or a typed array (of any realm)? An uninspectable Proxy counts as one: reading it then fails by name. */
export function isList(value) {
  if (tagOf(value) !== undefined) return true;
  try {
    return isArray(value);
  } catch {
    return true;
  }
}

/** Is `value` a plain object (not null, an array or a typed array)? */
export function isRecord(value) {
  return value !== null && typeof value === 'object' && !isList(value);
}

/**
 * A copy of the own enumerable properties of the object `value`, in an object without a prototype:
 * nothing is ever read through the prototype chain (Object.prototype.dim = 3 elsewhere changes
 * nothing), and getters or Proxy traps run once, here. With `allowed`, any other key is a TypeError
 * (a misspelt option is an error, not a silently ignored default); its value is not read.
 */
export function record(where, value, name, allowed) {
  if (!isRecord(value)) throw new TypeError(`${where}: ${name} must be an object, got ${describe(value)}`);
  const keys = readSafely(where, name, () => keysOf(value));
  const out = Object.create(null);
  const prefix = name === 'options' ? '' : `${name}.`;
  for (const key of keys) {
    if (allowed && !allowed.includes(key)) {
      throw new TypeError(`${where}: unknown option ${describe(key)}${prefix ? ` in ${name}` : ''} (expected one of ${allowed.join(', ')})`);
    }
    out[key] = readSafely(where, `${prefix}${describe(key).slice(1, -1)}`, () => value[key]);
  }
  return out;
}

/** Largest config data() copies: levels of nesting, values in all, characters of a key. */
const MAX_DEPTH = 16;
const MAX_VALUES = 2 ** 20;
const MAX_KEY = 200;

/**
 * A deep copy of JSON-like data (a model's config.json): each object becomes an object without a
 * prototype holding its own enumerable properties, each array a plain array (typed arrays are kept,
 * for their own checks). Getters and Proxy traps run once, here; at most 16 levels, 2^20 values
 * (counted before they are read: a sparse array of length 2^28 is refused at once) and keys of 200
 * characters.
 */
export function data(where, name, value) {
  let budget = MAX_VALUES;
  const take = (n, path) => {
    if (!(n <= budget)) throw new RangeError(`${where}: ${path} holds more than ${MAX_VALUES} values in all`);
    budget -= n;
  };
  const copy = (v, path, depth) => {
    if (v === null || typeof v !== 'object' || tagOf(v) !== undefined) return v;
    if (depth > MAX_DEPTH) throw new RangeError(`${where}: ${path} is nested more than ${MAX_DEPTH} levels deep`);
    return readSafely(where, path, () => {
      const list = isArray(v);
      const keys = list ? null : keysOf(v);
      const n = list ? v.length : keys.length;
      take(n, path);
      const long = list ? undefined : keys.find((k) => k.length > MAX_KEY);
      if (long !== undefined) throw new RangeError(`${where}: ${path} has a key of ${long.length} characters (at most ${MAX_KEY}): ${describe(long)}`);
      const out = list ? new Array(n) : Object.create(null);
      for (let i = 0; i < n; i++) {
        const key = list ? i : keys[i];
        const x = v[key];
        out[key] = x !== null && typeof x === 'object' ? copy(x, list ? `${path}[${i}]` : `${path}.${describe(key).slice(1, -1)}`, depth + 1) : x;
      }
      return out;
    });
  };
  return copy(value, name, 0);
}

/**
 * Check that `value` is an options object whose keys are all in `allowed`. Returns a copy of its own
 * properties (see record()): read the options from it, never from `value`.
 */
export function options(where, value, allowed, name = 'options') {
  return record(where, value, name, allowed);
}

/**
 * The elements of a plain array that must have `length` elements (e.g. a shape [seq, heads, headDim]),
 * copied into a new array; the length is checked before any element is read.
 */
export function tuple(where, name, value, length, expected) {
  const fail = () => new TypeError(`${where}: ${name} must be ${expected}, got ${describe(value)}`);
  if (tagOf(value) !== undefined || !isList(value)) throw fail();
  return readSafely(where, name, () => {
    if (value.length !== length) throw fail();
    return Array.from({ length }, (_, i) => value[i]);
  });
}

/** An integer in [min, max]; `fallback` when undefined and a fallback is given. */
export function integer(where, name, value, limits) {
  const { min, max, fallback } = own(limits);
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'number') throw new TypeError(`${where}: ${name} must be a number, got ${describe(value)}`);
  if (!Number.isInteger(value)) throw new RangeError(`${where}: ${name} must be an integer, got ${describe(value)}`);
  if (min !== undefined && value < min) throw new RangeError(`${where}: ${name} must be an integer >= ${min}, got ${describe(value)}`);
  if (max !== undefined && value > max) throw new RangeError(`${where}: ${name} must be an integer <= ${max}, got ${describe(value)}`);
  return value;
}

/** A finite number with optional bounds (`above` is exclusive); `fallback` when undefined. */
export function number(where, name, value, limits) {
  const { above, min, max, fallback } = own(limits);
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

/**
 * A typed array of any realm as a view of this realm's constructor over the same memory (so later
 * reads of its length, buffer and elements run no user code); undefined when `value` is not a typed
 * array. A detached buffer is a TypeError.
 */
function typedView(where, name, value) {
  const tag = tagOf(value);
  if (tag === undefined) return undefined;
  const Type = TYPED[tag];
  if (Type === undefined) return null;  // a typed array of a kind no function takes
  try {
    return new Type(bufferOf(value), offsetOf(value), lengthOf(value));
  } catch (e) {
    throw new TypeError(`${where}: ${name} is a ${tag} whose ArrayBuffer is detached (it was transferred) or shrunk`, { cause: e });
  }
}

/** `length` (exact) and `max` (largest count) checked on a count, before any element is read. */
function checkLength(where, name, n, length, max) {
  if (length !== undefined && n !== length) {
    throw new RangeError(`${where}: ${name} must have ${length} elements, got ${n}`);
  }
  if (!(n <= max)) throw new RangeError(`${where}: ${name} must have at most ${max} elements, got ${n}`);
}

/**
 * The elements of an array (or array-like Proxy) as a new `Type` array: the length is checked first
 * (a sparse array of length 2^28 costs nothing), then each element must be a number (a hole, undefined,
 * BigInt or Symbol is a TypeError naming it) and pass `check(x, i)`.
 */
function fromArray(where, name, value, Type, length, max, check) {
  return readSafely(where, name, () => {
    const n = value.length;
    checkLength(where, name, n, length, max);
    const out = new Type(n);
    for (let i = 0; i < n; i++) {
      const x = value[i];
      if (typeof x !== 'number') {
        throw new TypeError(`${where}: ${name}[${i}] must be a number, got ${x === undefined ? 'undefined (a hole?)' : describe(x)}`);
      }
      check?.(x, i);
      out[i] = x;
    }
    return out;
  });
}

/**
 * Numeric data as a Float32Array (a Float32Array of any realm is used as is, through a view; a
 * Float64Array or plain array of numbers is converted). `length`: required element count. `finite`
 * (default true): NaN or infinite elements are a RangeError naming the first one. A tensor is
 * copied out, unless `resident` (the caller hands the result to call() of lib/runtime.js, which
 * reads the tensor where it lives): then a float32 tensor is returned as is (finite: scanned inside
 * the module). A tensor is recognised by its private brand (lib/tensor.js), never by its properties.
 */
export function floats(where, name, value, opts) {
  return typed(Float32Array, Float64Array, where, name, value, opts);
}

/** Like floats(), but kept in float64 (a Float64Array is used as is). */
export function doubles(where, name, value, opts) {
  return typed(Float64Array, Float32Array, where, name, value, opts);
}

const DTYPE = new Map([[Float32Array, 'float32'], [Float64Array, 'float64'], [Int32Array, 'int32'], [Uint8Array, 'uint8']]);

/**
 * The state of the tensor `value` (lib/tensor.js), checked: not disposed, of the dtype of `Type` (or
 * of `Other` when given), at most `max` and exactly `length` elements when given. Undefined when
 * `value` is not a tensor.
 */
function tensorInput(where, name, value, Type, Other, length, max) {
  if (tensorState(value) === undefined) return undefined;
  const s = tensorState(usable(where, name, value));
  if (s.dtype !== DTYPE.get(Type) && s.dtype !== DTYPE.get(Other)) {
    throw new TypeError(`${where}: ${name} must be a ${DTYPE.get(Type)} tensor, got a ${s.dtype} tensor`);
  }
  checkLength(where, name, s.length, length, max);
  return s;
}

function typed(Type, Other, where, name, value, settings) {
  const { length, finite = true, resident = false } = own(settings);
  const max = MAX_OUTPUT_BYTES / Type.BYTES_PER_ELEMENT;
  const tensor = tensorInput(where, name, value, Type, Other, length, max);
  if (tensor !== undefined && resident && tensor.dtype === DTYPE.get(Type)) {
    if (finite) {
      const i = firstNonFinite(value);
      if (i >= 0) throw new RangeError(`${where}: ${name}[${i}] must be finite, got ${describe(copyOut(value, i))}`);
    }
    return value;
  }
  const view = tensor === undefined ? typedView(where, name, value) : undefined;
  let out;
  if (tensor !== undefined) {
    out = tensor.dtype === DTYPE.get(Type) ? copyOut(value) : new Type(copyOut(value));
  } else if (view instanceof Type || view instanceof Other) {
    checkLength(where, name, view.length, length, max);
    out = view instanceof Type ? view : new Type(view);
  } else if (view === undefined && isList(value)) {
    out = fromArray(where, name, value, Type, length, max);
  } else {
    throw new TypeError(`${where}: ${name} must be ${FLOAT_SOURCES}, got ${describe(value)}`);
  }
  if (finite) {
    for (let i = 0; i < out.length; i++) {
      if (!Number.isFinite(out[i])) throw new RangeError(`${where}: ${name}[${i}] must be finite, got ${describe(out[i])}`);
    }
  }
  return out;
}

/**
 * Where a function writes its result: undefined (a new array), a typed array (of any realm) of
 * `Type` with `count` elements (filled and returned), or a tensor of that dtype and length (written
 * where it lives). Returns `value` itself. The tensor's instance is checked by call() in
 * lib/runtime.js.
 */
export function outTarget(where, value, Type, count) {
  if (value === undefined) return undefined;
  const dtype = DTYPE.get(Type);
  const tensor = tensorState(value);
  let n;
  if (tensor !== undefined) {
    usable(where, 'out', value);
    if (tensor.dtype !== dtype) throw new TypeError(`${where}: out must be a ${dtype} tensor, got a ${tensor.dtype} tensor`);
    n = tensor.length;
  } else {
    const view = typedView(where, 'out', value);
    if (!(view instanceof Type)) throw new TypeError(`${where}: out must be a ${Type.name} or a ${dtype} tensor, got ${describe(value)}`);
    n = view.length;
  }
  if (n !== count) throw new RangeError(`${where}: out must have ${count} elements, got ${n}`);
  return value;
}

/**
 * Integers as an Int32Array (an Int32Array of any realm is used as is, through a view; a plain array
 * of integers is converted), each within [min, max] when given. `maxLength`: largest element count
 * (default 2^26, 256 MiB). `check(x, i)`: the caller's own check of each element (it throws).
 */
export function ints(where, name, value, settings) {
  const { length, min, max, maxLength = MAX_OUTPUT_BYTES / 4, check } = own(settings);
  const tensor = tensorInput(where, name, value, Int32Array, Int32Array, length, maxLength);
  const view = tensor === undefined ? typedView(where, name, value) : undefined;
  let out;
  if (tensor !== undefined || view instanceof Int32Array) {
    if (view !== undefined) checkLength(where, name, view.length, length, maxLength);
    out = view ?? copyOut(value);
    if (check) for (let i = 0; i < out.length; i++) check(out[i], i);
  } else if (view === undefined && isList(value)) {
    out = fromArray(where, name, value, Int32Array, length, maxLength, (x, i) => {
      check?.(x, i);
      if (!Number.isInteger(x) || x < -(2 ** 31) || x > 2 ** 31 - 1) {
        throw new RangeError(`${where}: ${name}[${i}] must be a 32-bit integer, got ${describe(x)}`);
      }
    });
  } else {
    throw new TypeError(`${where}: ${name} must be an Int32Array or array of integers (or an int32 tensor), got ${describe(value)}`);
  }
  for (let i = 0; i < out.length; i++) {
    if ((min !== undefined && out[i] < min) || (max !== undefined && out[i] > max)) {
      throw new RangeError(`${where}: ${name}[${i}] must be in [${min ?? '-inf'}, ${max ?? 'inf'}], got ${out[i]}`);
    }
  }
  return out;
}

/**
 * The values pe.tensor() copies: a typed array of a kind the package takes (of any realm, through a
 * view: `Type` is its kind) or a plain array of numbers (as a Float64Array, `Type` undefined), at
 * most `maxBytes` bytes.
 */
export function tensorSource(where, name, value, maxBytes) {
  const view = tensorState(value) === undefined ? typedView(where, name, value) : null;
  if (view) {
    checkLength(where, name, view.length, undefined, maxBytes / view.BYTES_PER_ELEMENT);
    return { values: view, Type: TYPED[tagOf(view)] };
  }
  if (view === undefined && isList(value)) return { values: fromArray(where, name, value, Float64Array, undefined, maxBytes / 4), Type: undefined };
  throw new TypeError(`${where}: ${name} must be a Float32Array, Float64Array, Int32Array, Uint8Array or array of numbers, got ${describe(value)}`);
}

/** Bytes as a Uint8Array (of any realm, through a view); undefined when `value` is not a Uint8Array. */
export function bytes(where, name, value) {
  const view = typedView(where, name, value);
  return view instanceof Uint8Array ? view : undefined;
}

/** A boolean; `fallback` when undefined. */
export function bool(where, name, value, fallback) {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'boolean') throw new TypeError(`${where}: ${name} must be true or false, got ${describe(value)}`);
  return value;
}
