// SPDX-License-Identifier: MIT
// Types of pe.sinusoidal() (lib/sinusoidal.js).
import type { Float32Out } from './tensor.js';
import type { Float32Result } from './arrays.js';

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

export interface SinusoidalApi {
  /**
   * Sinusoidal position table (Vaswani et al. 2017), row-major `[length][dim]`: row r is position
   * `offset + r`. Each value is within one float32 rounding of the formula evaluated in float64.
   * The table may not exceed 256 MiB, and positions may not exceed 2^24.
   * @example pe.sinusoidal({ length: 128, dim: 64 })  // Float32Array(8192)
   */
  sinusoidal<O extends Float32Out>(options: SinusoidalOptions & { out: O }): O;
  sinusoidal(options: SinusoidalOptions & { out?: undefined }): Float32Result;
}
