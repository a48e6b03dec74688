// SPDX-License-Identifier: MIT
// pe.tensor() / pe.zeros(): data that lives in the WebAssembly memory of one instance.
//
// A tensor is a region allocated with the module's malloc plus a JavaScript object describing it
// (never an Embind object). Every function that takes arrays also takes tensors: lib/args.js lets
// them through and lib/runtime.js call() passes their address to the core instead of copying, and
// writes results into a tensor given as `out`. dispose() (or `using`) frees the region at once; a
// FinalizationRegistry frees it when a forgotten tensor is garbage-collected.
import { describe, integer, isList, oneOf, options, readSafely, tensorSource } from './args.js';

const DTYPES = {
  float32: Float32Array,
  float64: Float64Array,
  int32: Int32Array,
  uint8: Uint8Array,
};
const DTYPE_OF = new Map(Object.entries(DTYPES).map(([name, Type]) => [Type, name]));

// Tensor -> its state { mod, pool, address, length, Type, dtype, view, disposed }. Kept out of
// the object so that nothing outside the package can move a tensor's address. Being a key of this
// map is a tensor's brand: a value is recognised as a tensor by it alone, never by its properties or
// prototype (no getter, Proxy trap or Symbol.hasInstance runs). WeakMap's methods are captured
// once, so later changes to the globals do not reach them.
const states = new WeakMap();
const { get: weakGet, has: weakHas, set: weakSet } = WeakMap.prototype;
const stateGet = (value) => Reflect.apply(weakGet, states, [value]);

/** The state of `value` if it is a tensor made by this package (disposed or not), else undefined. */
export function tensorState(value) {
  return value !== null && typeof value === 'object' ? stateGet(value) : undefined;
}

/** Whether `value` is a tensor made by this package (by its brand; see `states`). */
export const isTensor = (value) => tensorState(value) !== undefined;
// Module instance -> { count, bytes, registry }: the live tensors' totals for pe.diagnostics().
const pools = new WeakMap();
// Only this file makes tensors (new Tensor() elsewhere is a TypeError).
const TOKEN = Symbol('posenc.tensor');

/** Largest tensor accepted (the package's output limit, lib/runtime.js). */
const MAX_BYTES = 256 * 1024 * 1024;

function release(state) {
  if (state.disposed) return;
  state.disposed = true;
  state.view = null;
  state.pool.count -= 1;
  state.pool.bytes -= state.length * state.Type.BYTES_PER_ELEMENT;
  state.mod._free(state.address);
}

function poolOf(mod) {
  let pool = pools.get(mod);
  if (!pool) {
    pool = { count: 0, bytes: 0, registry: typeof FinalizationRegistry === 'function' ? new FinalizationRegistry(release) : null };
    pools.set(mod, pool);
  }
  return pool;
}

/** The live tensors of an instance: { count, bytes }. */
export function tensorTotals(mod) {
  const pool = poolOf(mod);
  return { count: pool.count, bytes: pool.bytes };
}

// The state of a tensor (an object that only claims to be one, e.g. Object.create(Tensor.prototype),
// is a TypeError).
function stateOf(tensor, where = 'posenc.tensor') {
  const s = tensorState(tensor);
  if (!s) throw new TypeError(`${where}: not a tensor made by pe.tensor() or pe.zeros()`);
  return s;
}

function live(tensor, where) {
  const s = stateOf(tensor, where);
  if (s.disposed) throw new TypeError(`${where}: the tensor has been disposed`);
  return s;
}

/** A block of numbers in one instance's WebAssembly memory. Made by pe.tensor() and pe.zeros(). */
export class Tensor {
  /** @internal Use pe.tensor() or pe.zeros(). */
  constructor(token, state, shape) {
    if (token !== TOKEN) throw new TypeError('posenc.Tensor: use pe.tensor() or pe.zeros() to make a tensor');
    Reflect.apply(weakSet, states, [this, state]);
    this.shape = Object.freeze(shape.slice());
    this.dtype = state.dtype;
    this.length = state.length;
    Object.freeze(this);
  }

  /** Bytes of WebAssembly memory the tensor holds. */
  get byteLength() { return this.length * stateOf(this).Type.BYTES_PER_ELEMENT; }

  /** Whether dispose() has been called. */
  get disposed() { return stateOf(this).disposed; }

  /**
   * A typed-array view of the tensor's memory (reading and writing it reads and writes the
   * tensor). Memory growth detaches views: read `data` again after any call instead of keeping it.
   */
  get data() {
    const s = live(this, 'posenc.tensor.data');
    const buffer = s.mod.HEAPU8.buffer;
    if (s.view === null || s.view.buffer !== buffer) s.view = new s.Type(buffer, s.address, s.length);
    return s.view;
  }

  /** A copy of the values in a new typed array (of the tensor's dtype). */
  toArray() {
    live(this, 'posenc.tensor.toArray');
    return this.data.slice();
  }

  /** Free the memory now. Later uses throw a TypeError; a second dispose() does nothing. */
  dispose() {
    const s = stateOf(this, 'posenc.tensor.dispose');
    if (s.disposed) return;
    s.pool.registry?.unregister(this);
    release(s);
  }
}
if (typeof Symbol.dispose === 'symbol') Tensor.prototype[Symbol.dispose] = Tensor.prototype.dispose;

/**
 * The state of `value` if it is a tensor, checked for use by `where` as parameter `name`: of the
 * instance `mod`, not disposed, and (when given) of dtype `dtype`. Undefined when `value` is not a
 * tensor.
 */
export function residentOf(mod, where, name, value, dtype) {
  if (!isTensor(value)) return undefined;
  const s = tensorState(usable(where, name, value));
  if (s.mod !== mod) throw new TypeError(`${where}: ${name} is a tensor of another posenc instance (tensors belong to the pe that made them)`);
  if (dtype !== undefined && s.dtype !== dtype) throw new TypeError(`${where}: ${name} must be a ${dtype} tensor, got a ${s.dtype} tensor`);
  return s;
}

/** Check that a tensor given as parameter `name` of `where` is real and not disposed; returns it. */
export function usable(where, name, tensor) {
  if (!Reflect.apply(weakHas, states, [tensor])) throw new TypeError(`${where}: ${name} is not a tensor made by pe.tensor() or pe.zeros()`);
  if (stateGet(tensor).disposed) throw new TypeError(`${where}: ${name} is a disposed tensor`);
  return tensor;
}

/**
 * A copy of a live tensor's values in a new array of its dtype, or (with `index`) its value there.
 * Reads the state, never the object (Tensor.prototype may have been changed).
 */
export function copyOut(tensor, index) {
  const s = stateOf(tensor);
  const view = new s.Type(s.mod.HEAPU8.buffer, s.address, s.length);
  return index === undefined ? view.slice() : view[index];
}

/** Index of the first NaN or infinity of a float tensor (a SIMD scan in its module), or -1. */
export function firstNonFinite(tensor) {
  const s = stateOf(tensor);
  if (s.dtype === 'float32') return s.mod.firstNonFiniteF32(s.address, s.length);
  if (s.dtype === 'float64') return s.mod.firstNonFiniteF64(s.address, s.length);
  return -1;
}

function readShape(where, given, length) {
  if (given === undefined && length !== undefined) return [length];
  const fail = () => new TypeError(`${where}: shape must be an array of 1 to 8 integers, got ${describe(given)}`);
  if (!isList(given) || ArrayBuffer.isView(given)) throw fail();
  // The length is read (and checked) before any element; each element once, into a plain array.
  const shape = readSafely(where, 'shape', () => {
    const n = given.length;
    if (!(n >= 1 && n <= 8)) throw fail();
    return Array.from({ length: n }, (_, i) => given[i]);
  });
  shape.forEach((d, i) => integer(where, `shape[${i}]`, d, { min: 0 }));
  const count = shape.reduce((a, b) => a * b, 1);
  if (length !== undefined && count !== length) {
    throw new RangeError(`${where}: shape [${shape.join(', ')}] holds ${count} values, but values has ${length}`);
  }
  return shape;
}

const readDtype = (where, dtype, fallback) => oneOf(where, 'dtype', dtype, Object.keys(DTYPES), fallback);

function allocate(mod, where, shape, dtype) {
  const Type = DTYPES[dtype];
  const length = shape.reduce((a, b) => a * b, 1);
  const bytes = length * Type.BYTES_PER_ELEMENT;
  if (bytes > MAX_BYTES) throw new RangeError(`${where}: the tensor would exceed ${MAX_BYTES / 2 ** 20} MiB`);
  const address = mod._malloc(Math.max(bytes, 1));
  if (address === 0) throw new RangeError(`${where}: out of memory allocating ${bytes} bytes`);
  mod.HEAPU8.fill(0, address, address + bytes);
  const pool = poolOf(mod);
  pool.count += 1;
  pool.bytes += bytes;
  const state = { mod, pool, address, length, Type, dtype, view: null, disposed: false };
  const tensor = new Tensor(TOKEN, state, shape);
  pool.registry?.register(tensor, state, tensor);
  return tensor;
}

/**
 * pe.tensor(values, { shape, dtype }): a tensor holding a copy of `values` (a typed array or an
 * array of numbers). dtype: from the typed array (float32 for a plain array) unless given; shape:
 * [values.length] unless given.
 */
function tensor(mod, values, opts = {}) {
  const where = 'posenc.tensor';
  const o = options(where, opts, ['shape', 'dtype']);
  const source = tensorSource(where, 'values', values, MAX_BYTES);
  const dtype = readDtype(where, o.dtype, DTYPE_OF.get(source.Type) ?? 'float32');
  const shape = readShape(where, o.shape, source.values.length);
  const t = allocate(mod, where, shape, dtype);
  const s = stateOf(t);
  new s.Type(s.mod.HEAPU8.buffer, s.address, s.length).set(source.values);
  return t;
}

/** pe.zeros(shape, { dtype }): a tensor of zeros (float32 unless dtype is given). */
function zeros(mod, shape, opts = {}) {
  const where = 'posenc.zeros';
  const o = options(where, opts, ['dtype']);
  return allocate(mod, where, readShape(where, shape), readDtype(where, o.dtype, 'float32'));
}

/** The members this module adds to the library object. */
export function bind(mod) {
  poolOf(mod);
  return {
    tensor: (values, opts) => tensor(mod, values, opts),
    zeros: (shape, opts) => zeros(mod, shape, opts),
    dtypes: Object.keys(DTYPES),
  };
}
