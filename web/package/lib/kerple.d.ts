// SPDX-License-Identifier: MIT
// Types of pe.kerple (lib/kerple.js).
import type { Float32Out, FloatData } from './tensor.js';
import type { Float32Result } from './arrays.js';
import type { AttentionShapeOptions } from './nope.js';

/** `'log'`: -r1 log(1 + r2 d). `'power'`: -r1 d^r2 (0 < r2 <= 2). */
export type KerpleVariant = 'log' | 'power';

/** A per-head parameter: one number for every head, or one value per head. */
export type KerpleParameter = number | FloatData;

export interface KerpleBiasOptions extends AttentionShapeOptions {
  /** Number of heads, an integer in [1, 65536]. */
  heads: number;
  /**
   * Scale r1 > 0 of each head (learned; the reference code's `bias_p` for 'log', `bias_a` for
   * 'power'). Rounded to float32, as the model holds it. There is no default.
   */
  r1: KerpleParameter;
  /**
   * Shape r2 > 0 of each head, at most 2 for 'power' (the reference code's `bias_a` for 'log',
   * `bias_p` for 'power'). Rounded to float32. There is no default.
   */
  r2: KerpleParameter;
  /** Kernel: `'log'` (default) or `'power'`. */
  variant?: KerpleVariant;
  /** true: -Infinity for keys after the query (decoders). false (default, as everywhere in posenc): the kernel everywhere. */
  causal?: boolean;
}

export interface KerpleNamespace {
  /**
   * KERPLE attention bias (Chi et al. 2022), row-major `[heads][queries][keys]`, for the distance
   * d = |queryOffset + i - j|: -r1 log(1 + r2 d) or -r1 d^r2. Each value is the float64 formula
   * rounded once to float32. A RangeError names r1 when the bias would overflow float32.
   * @example
   * pe.kerple.bias({ heads: 2, queries: 4, r1: [1.2, 0.4], r2: [0.5, 0.9], causal: true })  // Float32Array(32)
   * pe.kerple.bias({ heads: 8, queries: 128, r1: 1, r2: 1.5, variant: 'power' })  // no mask
   */
  bias<O extends Float32Out>(options: KerpleBiasOptions & { out: O }): O;
  bias(options: KerpleBiasOptions & { out?: undefined }): Float32Result;
}

export interface KerpleApi {
  /**
   * KERPLE, kernelized relative position biases (`pe.kerple.bias`).
   * @example
   * const bias = pe.kerple.bias({ heads: 4, queries: 64, r1: 1, r2: 0.5 });
   */
  readonly kerple: Readonly<KerpleNamespace>;
}
