// SPDX-License-Identifier: MIT
// Type declarations for posenc, written by hand (one file per method in lib/) and checked by
// compiling the TypeScript consumers in tests/types/.
import type { AlibiApi } from './lib/alibi.js';
import type { AnalysisApi } from './lib/analysis.js';
import type { AttentionApi } from './lib/attention.js';
import type { CorpusApi } from './lib/corpus.js';
import type { KerpleApi } from './lib/kerple.js';
import type { LearnedApi } from './lib/learned.js';
import type { LmApi } from './lib/lm.js';
import type { ModelsApi } from './lib/models.js';
import type { NopeApi } from './lib/nope.js';
import type { RopeApi } from './lib/rope.js';
import type { ShawApi } from './lib/shaw.js';
import type { SinusoidalApi } from './lib/sinusoidal.js';
import type { T5Api } from './lib/t5.js';
import type { TensorApi } from './lib/tensor.js';

export type * from './lib/arrays.js';
export type * from './lib/alibi.js';
export type * from './lib/analysis.js';
export type * from './lib/attention.js';
export type * from './lib/corpus.js';
export type * from './lib/kerple.js';
export type * from './lib/learned.js';
export type * from './lib/lm.js';
export type * from './lib/models.js';
export type * from './lib/nope.js';
export type * from './lib/rope.js';
export type * from './lib/shaw.js';
export type * from './lib/sinusoidal.js';
export type * from './lib/t5.js';
export type * from './lib/tensor.js';
export { Tensor } from './lib/tensor.js';

/** Version of the package. */
export declare const version: string;

/**
 * Where a build's .wasm comes from: its URL (a relative string resolves against the page, as fetch()
 * does), its bytes, a Response (e.g. `fetch(url)`), a Promise of one of these, or a compiled module.
 */
export type WasmSource =
  | string
  | URL
  | ArrayBuffer
  | ArrayBufferView
  | Response
  | WebAssembly.Module
  | PromiseLike<string | URL | ArrayBuffer | ArrayBufferView | Response | WebAssembly.Module>;

export interface InitOptions {
  /**
   * Which WebAssembly build to load. `'auto'` (default): the SIMD build when the runtime supports
   * WebAssembly SIMD, else the baseline build. `true`: the SIMD build (rejects with a RangeError
   * where SIMD is unsupported). `false`: the baseline build (no SIMD instruction).
   */
  simd?: boolean | 'auto';
  /**
   * Where the .wasm comes from, when not from the package's own `dist/` (found through
   * `new URL(..., import.meta.url)`, which some bundlers do not follow; see "Using posenc with your
   * bundler" in the README). One source for the build that `simd: true` or `simd: false` selects;
   * with `simd: 'auto'`, `{ simd, base }` (the files `posenc/dist/posenc_simd.wasm` and
   * `posenc/dist/posenc_base.wasm`). Used the first time a build is loaded.
   */
  wasm?: WasmSource | { simd: WasmSource; base: WasmSource };
}

/**
 * Load posenc. Resolves to the functions of the library, bound to a WebAssembly instance. Each build
 * is instantiated once per page or process; later calls resolve to the same object. Rejects with a
 * TypeError/RangeError for wrong options, and with an Error naming the URL, the HTTP status and
 * content type when the .wasm cannot be loaded (a failed load may be retried).
 *
 * @example
 * const pe = await init();
 * const table = pe.sinusoidal({ length: 128, dim: 64 }); // Float32Array, 128 x 64, row-major
 */
export declare function init(options?: InitOptions): Promise<PositionalEncodings>;

/** Diagnostics of the WebAssembly instance (for leak tests and curiosity). */
export interface Diagnostics {
  /** Size of the WebAssembly memory in bytes. */
  heapBytes: number;
  /** Bytes currently allocated by the module's malloc. */
  mallocBytes: number;
  /** The module's current stack pointer (it returns to the same value after every call). */
  stackPointer: number;
  /** Live (undisposed) tensors of this instance. */
  tensors: number;
  /** Bytes held by the live tensors (part of mallocBytes). */
  tensorBytes: number;
}

/**
 * The library, bound to one WebAssembly instance. Every function validates its arguments and throws
 * a `TypeError` (wrong kind of value) or `RangeError` (out of range) that names the parameter; the
 * instance stays usable after any error. Results are new typed arrays owned by the caller, or are
 * written into `out` (a typed array or a tensor) where a function takes it. Arrays may be given as
 * tensors (see TensorApi), which stay in the instance's memory. The object and its namespaces are
 * frozen.
 */
export interface PositionalEncodings
  extends TensorApi, SinusoidalApi, LearnedApi, ShawApi, T5Api, RopeApi, AlibiApi, KerpleApi, NopeApi, AttentionApi, AnalysisApi, LmApi, CorpusApi, ModelsApi {
  /** Whether the SIMD build is loaded. */
  readonly simd: boolean;
  /**
   * Threads this library computes on: 1, the calling thread (the single-thread build; WebAssembly
   * threads are not used). `initWorker({ threads })` of `posenc/worker` resolves to the same library
   * on a pool of workers, whose `threads` is the pool size (see its `sharedMemory` too).
   */
  readonly threads: number;
  /** The kernels' instruction set: `'wasm-simd128'` or `'scalar'`. */
  readonly arch: string;
  /** Version of the package. */
  readonly version: string;
  /** Memory figures of the instance. */
  diagnostics(): Diagnostics;
}
