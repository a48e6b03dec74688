// SPDX-License-Identifier: MIT
// The boundary with the WebAssembly module: buffers, calls and error values.
//
// The module's functions take byte addresses of buffers allocated here and return a status
// (0 ok, 1 TypeError, 2 RangeError); after a failure errorParam()/errorMessage() describe it. No C++
// exception ever crosses Embind (each one would leak WebAssembly stack). Results are copied out of
// the heap into arrays the caller owns, so nothing returned needs freeing.

/** Limits shared with the C++ core (src/posenc/status.hpp). */
export const MAX_OUTPUT_BYTES = 256 * 1024 * 1024;
export const MAX_POSITION = 2 ** 24;

/** The error a failed status stands for. */
function statusError(mod, where, status) {
  const text = `${where}: ${mod.errorParam()} ${mod.errorMessage()}`;
  return status === 1 ? new TypeError(text) : new RangeError(text);
}

/**
 * Allocate `count` float32 in the module's heap, call `invoke(address)` (which returns a status),
 * and return a Float32Array copy of the buffer. The buffer is freed whatever happens.
 */
export function float32Result(mod, where, count, invoke) {
  return call(mod, where, [], [[Float32Array, count]], invoke)[0];
}

const HEAP_OF = new Map([
  [Float32Array, 'HEAPF32'],
  [Float64Array, 'HEAPF64'],
  [Int32Array, 'HEAP32'],
  [Uint8Array, 'HEAPU8'],
]);

/**
 * Run one core function over buffers in the module's heap.
 *   inputs:  typed arrays (Float32Array, Float64Array, Int32Array, Uint8Array), copied in; or
 *            { data, name } to also check, with a SIMD scan inside the module, that every value is
 *            finite (a RangeError naming `name[i]` otherwise; cheaper than a JavaScript loop);
 *   outputs: [Type, count] pairs, allocated zeroed, or [Type, count, init, name?] started as a copy
 *            of `init` (an in-place kernel's input; with `name`, scanned for NaN/infinity like an
 *            input); copied out after a successful call;
 *   invoke(...inputAddresses, ...outputAddresses) returns the core's status.
 * Returns the output arrays (new arrays the caller owns). Every buffer is freed whatever happens,
 * and a failed status becomes a TypeError/RangeError naming the parameter.
 */
export function call(mod, where, inputs, outputs, invoke) {
  let total = 0;
  for (const [Type, count] of outputs) total += count * Type.BYTES_PER_ELEMENT;
  if (total > MAX_OUTPUT_BYTES) throw new RangeError(`${where}: the result would exceed ${MAX_OUTPUT_BYTES / 2 ** 20} MiB`);
  const addresses = [];
  try {
    for (const input of inputs) {
      const array = ArrayBuffer.isView(input) ? input : input.data;
      const address = alloc(mod, where, Math.max(array.byteLength, 1));
      addresses.push(address);
      mod.HEAPU8.set(new Uint8Array(array.buffer, array.byteOffset, array.byteLength), address);
      if (!ArrayBuffer.isView(input)) checkFinite(mod, where, input.name, array, address);
    }
    for (const [Type, count, init, name] of outputs) {
      const bytes = Math.max(count * Type.BYTES_PER_ELEMENT, 1);
      const address = alloc(mod, where, bytes);
      addresses.push(address);
      if (init) {
        mod.HEAPU8.set(new Uint8Array(init.buffer, init.byteOffset, init.byteLength), address);
        if (name) checkFinite(mod, where, name, init, address);
      } else {
        mod.HEAPU8.fill(0, address, address + bytes);
      }
    }
    const status = invoke(...addresses);
    if (status !== 0) throw statusError(mod, where, status);
    // Views of the heap are taken after every call: memory growth detaches older ones.
    return outputs.map(([Type, count], k) => {
      const first = addresses[inputs.length + k] / Type.BYTES_PER_ELEMENT;
      return mod[HEAP_OF.get(Type)].slice(first, first + count);
    });
  } finally {
    for (const address of addresses) mod._free(address);
  }
}

function checkFinite(mod, where, name, array, address) {
  const i = array instanceof Float64Array ? mod.firstNonFiniteF64(address, array.length)
    : array instanceof Float32Array ? mod.firstNonFiniteF32(address, array.length) : -1;
  if (i >= 0) throw new RangeError(`${where}: ${name}[${i}] must be finite, got ${array[i]}`);
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
