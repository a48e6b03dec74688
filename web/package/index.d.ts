// SPDX-License-Identifier: MIT
// Type declarations for posenc, written by hand and checked by compiling tests/types/consumer.ts.

/** Version of the package. */
export declare const version: string;

export interface InitOptions {
  /**
   * Which WebAssembly build to load. `'auto'` (default): the SIMD build when the runtime supports
   * WebAssembly SIMD, else the baseline build. `true`: the SIMD build (rejects with a RangeError
   * where SIMD is unsupported). `false`: the baseline build (no SIMD instruction).
   */
  simd?: boolean | 'auto';
}

/**
 * Load posenc. Resolves to the functions of the library, bound to a WebAssembly instance. Each build
 * is instantiated once per page or process; later calls resolve to the same object.
 *
 * @example
 * const pe = await init();
 * const table = pe.sinusoidal({ length: 128, dim: 64 }); // Float32Array, 128 x 64, row-major
 */
export declare function init(options?: InitOptions): Promise<PositionalEncodings>;

/** Column layout of a sinusoidal table. */
export type SinusoidalLayout = 'vaswani' | 'fairseq';

export interface SinusoidalOptions {
  /** Number of positions (rows), an integer >= 1. */
  length: number;
  /**
   * Model dimension (columns), an integer >= 1 (>= 4 for `'fairseq'`). For odd `dim`, `'vaswani'`
   * ends with an unpaired sine column and `'fairseq'` ends with a zero column, as fairseq does.
   */
  dim: number;
  /** Wavelength scale: frequencies run from 1 down to about 1/base. Finite and > 0. Default 10000. */
  base?: number;
  /**
   * `'vaswani'` (default; Attention Is All You Need): sin at even columns, cos at odd columns,
   * frequency base^(-2i/dim). `'fairseq'` (fairseq, tensor2tensor): all sines then all cosines,
   * frequency base^(-k/(dim/2 - 1)), so the frequencies differ as well as the order.
   */
  layout?: SinusoidalLayout;
  /** Position of the first row, an integer >= 0. Default 0. */
  offset?: number;
  /**
   * fairseq's padding index (only with `layout: 'fairseq'`): as in fairseq's module, an unpadded
   * sequence is numbered from paddingIdx + 1, so the first row is position offset + paddingIdx + 1.
   */
  paddingIdx?: number;
}

/** Diagnostics of the WebAssembly instance (for leak tests and curiosity). */
export interface Diagnostics {
  /** Size of the WebAssembly memory in bytes. */
  heapBytes: number;
  /** Bytes currently allocated by the module's malloc. */
  mallocBytes: number;
  /** The module's current stack pointer (it returns to the same value after every call). */
  stackPointer: number;
}

/** The library, bound to one WebAssembly instance. Every function validates its arguments and throws a
 * `TypeError` (wrong kind of value) or `RangeError` (out of range) that names the parameter; the
 * instance stays usable after any error. Results are new typed arrays owned by the caller. */
export interface PositionalEncodings {
  /** Whether the SIMD build is loaded. */
  readonly simd: boolean;
  /** The kernels' instruction set: `'wasm-simd128'` or `'scalar'`. */
  readonly arch: string;
  /** Version of the package. */
  readonly version: string;

  /**
   * Sinusoidal position table, row-major `[length][dim]`: row r is position `offset + r`.
   * Each value is within one float32 rounding of the formula evaluated in float64.
   * The table may not exceed 256 MiB, and positions may not exceed 2^24.
   */
  sinusoidal(options: SinusoidalOptions): Float32Array;

  /** Memory figures of the instance. */
  diagnostics(): Diagnostics;
}
