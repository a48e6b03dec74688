// SPDX-License-Identifier: MIT
// The boundary with the WebAssembly module: buffers, calls and error values.
//
// The module's functions take byte addresses of buffers allocated here and return a status
// (0 ok, 1 TypeError, 2 RangeError); after a failure errorParam()/errorMessage() describe it. No C++
// exception ever crosses Embind (each one would leak WebAssembly stack). Results are copied out of
// the heap into arrays the caller owns (nothing returned needs freeing), or written into a tensor
// or array given as `out`. Tensors (lib/tensor.js) are read and written where they live.
import { copyOut, isTensor, residentOf, tensorState } from './tensor.js';

// %TypedArray%.prototype.set, captured: fills an `out` array of any realm without running user code.
const typedSet = Object.getPrototypeOf(Uint8Array.prototype).set;
// The descriptors below are the package's own objects, but Object.prototype may have been given a
// `finite` or `kernel` elsewhere: their optional keys are read as own properties only.
const ownOr = (object, key, fallback) => (object !== null && typeof object === 'object' && Object.hasOwn(object, key) ? object[key] : fallback);

/** Limits shared with the C++ core (src/posenc/status.hpp). */
export const MAX_OUTPUT_BYTES = 256 * 1024 * 1024;
export const MAX_POSITION = 2 ** 24;

/**
 * The error a failed status stands for. When the core names the offending element (errorIndex()
 * >= 0), `valueAt(param, index)` may give its value for the message.
 */
function statusError(mod, where, status, valueAt = () => undefined) {
  const param = mod.errorParam(), index = mod.errorIndex();
  const value = index >= 0 ? valueAt(param, index) : undefined;
  const text = index >= 0
    ? `${where}: ${param}[${index}] ${mod.errorMessage()}${value === undefined ? '' : `, got ${value}`}`
    : `${where}: ${param} ${mod.errorMessage()}`;
  return status === 1 ? new TypeError(text) : new RangeError(text);
}

/**
 * Allocate `count` float32 in the module's heap, call `invoke(address)` (which returns a status),
 * and return a Float32Array copy of the buffer, or fill `out` (see call()). The buffer is freed
 * whatever happens.
 */
export function float32Result(mod, where, count, invoke, out) {
  return call(mod, where, [], [[Float32Array, count, undefined, undefined, out]], invoke)[0];
}

/**
 * Run one core function over buffers in the module's heap.
 *   inputs:  typed arrays (Float32Array, Float64Array, Int32Array, Uint8Array), copied in, or tensors
 *            (lib/tensor.js) of this instance, read where they live; or { data, name } to also check,
 *            with a SIMD scan inside the module, that every value is finite (a RangeError naming
 *            `name[i]` otherwise; cheaper than a JavaScript loop; `finite: false` skips the scan);
 *   outputs: [Type, count] pairs, allocated zeroed, or [Type, count, init, name?] started as a copy
 *            of `init` (an in-place kernel's input, array or tensor; with `name`, scanned for
 *            NaN/infinity like an input; with `{ kernel: name }`, the kernel checks it as it goes,
 *            saving a pass over memory, and reports the element through errorIndex()); a fifth
 *            entry `out` (checked by outTarget() of lib/args.js) receives the result: a tensor is
 *            written where it lives (in place when it is `init` itself), a typed array is filled;
 *   invoke(...inputAddresses, ...outputAddresses) returns the core's status.
 * Returns the outputs: `out` where given, else new arrays the caller owns. Scratch buffers are freed
 * whatever happens (so the heap's free space is reused by the next call), and a failed status
 * becomes a TypeError/RangeError naming the parameter.
 */
export function call(mod, where, inputs, outputs, invoke) {
  let total = 0;
  for (const [Type, count] of outputs) total += count * Type.BYTES_PER_ELEMENT;
  if (total > MAX_OUTPUT_BYTES) throw new RangeError(`${where}: the result would exceed ${MAX_OUTPUT_BYTES / 2 ** 20} MiB`);
  const addresses = [], scratch = [], residents = [];
  const place = (bytes) => {
    const address = alloc(mod, where, Math.max(bytes, 1));
    scratch.push(address);
    return address;
  };
  // A tensor's address, or a scratch copy of an array; then the finite scan when `name` is given.
  const load = (value, name, scan, address) => {
    const t = residentOf(mod, where, name ?? 'an input', value);
    if (t) {
      residents.push(value);
      if (address === undefined) address = t.address;
      else if (address !== t.address) mod.HEAPU8.copyWithin(address, t.address, t.address + t.length * t.Type.BYTES_PER_ELEMENT);
    } else {
      address ??= place(value.byteLength);
      mod.HEAPU8.set(new Uint8Array(value.buffer, value.byteOffset, value.byteLength), address);
    }
    if (name && scan) checkFinite(mod, where, name, value, address);
    return address;
  };
  try {
    for (const input of inputs) {
      const plain = ArrayBuffer.isView(input) || isTensor(input);
      addresses.push(plain ? load(input) : load(input.data, input.name, ownOr(input, 'finite', true)));
    }
    for (const [Type, count, init, name, out] of outputs) {
      const scan = typeof name === 'string';  // else { kernel: name }: the kernel checks it
      const bytes = count * Type.BYTES_PER_ELEMENT;
      const target = residentOf(mod, where, 'out', out);
      if (target && residents.includes(out)) throw new RangeError(`${where}: out must not be one of the inputs`);
      const address = target ? target.address : place(bytes);
      addresses.push(address);
      if (init) load(init, scan ? name : ownOr(name, 'kernel'), scan, address);
      else mod.HEAPU8.fill(0, address, address + bytes);
    }
    const status = invoke(...addresses);
    if (status !== 0) {
      // A kernel that checks its input names the element, which it left unwritten: read it there.
      const k = outputs.findIndex((o) => ownOr(o[3], 'kernel') === mod.errorParam());
      throw statusError(mod, where, status, (_, i) => (k < 0 ? undefined
        : new outputs[k][0](mod.HEAPU8.buffer, addresses[inputs.length + k], outputs[k][1])[i]));
    }
    // Views of the heap are taken after every call: memory growth detaches older ones.
    return outputs.map(([Type, count, , , out], k) => {
      if (isTensor(out)) return out;
      const view = new Type(mod.HEAPU8.buffer, addresses[inputs.length + k], count);
      return out ? (Reflect.apply(typedSet, out, [view]), out) : view.slice();
    });
  } finally {
    for (const address of scratch) mod._free(address);
  }
}

function checkFinite(mod, where, name, value, address) {
  const t = tensorState(value);
  const type = t ? t.Type : value.constructor;
  const n = t ? t.length : value.length;
  const i = type === Float64Array ? mod.firstNonFiniteF64(address, n) : type === Float32Array ? mod.firstNonFiniteF32(address, n) : -1;
  if (i >= 0) throw new RangeError(`${where}: ${name}[${i}] must be finite, got ${t ? copyOut(value, i) : value[i]}`);
}

function alloc(mod, where, bytes) {
  const address = mod._malloc(bytes);
  if (address === 0) throw new RangeError(`${where}: out of memory allocating ${bytes} bytes`);
  return address;
}

// Smallest module that uses a SIMD128 instruction: (func (result v128) (i32x4.splat (i32.const 0))).
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 8, 1, 6, 0, 65, 0, 253, 17, 11,
]);

/** Whether this runtime's WebAssembly supports fixed-width SIMD. */
export function simdSupported() {
  try {
    return typeof WebAssembly === 'object' && WebAssembly.validate(SIMD_PROBE);
  } catch {
    return false;
  }
}
