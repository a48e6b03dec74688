// SPDX-License-Identifier: MIT
// posenc's WebAssembly modules loaded directly (not through the package), for kernel timings with
// the data resident in the module's heap, like tfjs's resident tensors: no copy in or out per call.
// Also the in-process ceilings (src/posenc/roofline.hpp).
import { performance } from 'node:perf_hooks';

const BUILDS = {
  simd: () => import('../../web/package/dist/posenc_simd.mjs'),
  base: () => import('../../web/package/dist/posenc_base.mjs'),
};

/** A fresh instance of a build ('simd' or 'base'). */
export async function rawModule(build) {
  const { default: create } = await BUILDS[build]();
  return create();
}

/** A Float32Array (or Float64Array/Int32Array) living in the module's heap; view() after growth. */
export function heapArray(mod, Type, length) {
  const address = mod._malloc(Math.max(1, length * Type.BYTES_PER_ELEMENT));
  if (!address) throw new Error(`malloc of ${length} values failed`);
  const heap = { [Float32Array.name]: 'HEAPF32', [Float64Array.name]: 'HEAPF64', [Int32Array.name]: 'HEAP32' }[Type.name];
  return {
    address,
    length,
    view: () => new Type(mod[heap].buffer, address, length),
    set(values) { this.view().set(values); },
    free: () => mod._free(address),
  };
}

/** Throw if a binding returned a failed status. */
export function check(mod, status, what) {
  if (status !== 0) throw new Error(`${what}: ${mod.errorParam()} ${mod.errorMessage()}`);
}

/**
 * The ceilings of a build, measured in this process: f32x4 multiply-add peak (GFLOP/s), copy
 * bandwidth and in-place read-modify-write bandwidth (GB/s counting bytes read plus bytes written)
 * over `bytes` bytes. Each is the best of
 * several runs after warm-up (so V8 has compiled the loop with its optimising tier).
 */
export function roofline(mod, { bytes = 64 << 20, peakIterations = 20_000_000, repeats = 7 } = {}) {
  for (let i = 0; i < 3; i++) mod.rooflinePeak(1_000_000);
  let peak = 0;
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    mod.rooflinePeak(peakIterations);
    peak = Math.max(peak, (peakIterations * 64) / ((performance.now() - t0) * 1e6));
  }
  const n = bytes / 4;
  const src = heapArray(mod, Float32Array, n), dst = heapArray(mod, Float32Array, n);
  src.view().fill(1.5);
  let stream = 0;
  for (let i = 0; i < repeats + 2; i++) {
    const t0 = performance.now();
    mod.rooflineStream(src.address, dst.address, n);
    const t = performance.now() - t0;
    if (i >= 2) stream = Math.max(stream, (2 * bytes) / (t * 1e6));
  }
  let inPlace = 0;
  for (let i = 0; i < repeats + 2; i++) {
    const t0 = performance.now();
    mod.rooflineScale(src.address, n, i % 2 ? 2 : 0.5);
    const t = performance.now() - t0;
    if (i >= 2) inPlace = Math.max(inPlace, (2 * bytes) / (t * 1e6));
  }
  src.free();
  dst.free();
  return { peakGflops: peak, streamGBs: stream, inPlaceGBs: inPlace, streamBytes: bytes };
}
