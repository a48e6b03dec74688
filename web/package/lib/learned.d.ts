// SPDX-License-Identifier: MIT
// Types of pe.learned (lib/learned.js).
import type { Float32Out, FloatData, IntData } from './tensor.js';
import type { Float32Result } from './arrays.js';

/** Shape of a learned table. */
export interface LearnedShape {
  /**
   * Rows of the table: positions 0 .. maxPositions-1 have a row, later ones have none. An integer
   * in [1, 2^24 + 1].
   * @example 512 // BERT's max_position_embeddings
   */
  maxPositions: number;
  /**
   * Columns (the model dimension), an integer >= 1. maxPositions * dim floats may not exceed 256 MiB.
   * @example 768
   */
  dim: number;
}

export interface LearnedTableOptions extends LearnedShape {
  /**
   * Seed of the generator, an integer in [0, 2^53 - 1]. Default 0. Equal seeds give bit-identical
   * tables (also between the SIMD and baseline builds and native code).
   * @example { maxPositions: 512, dim: 768, seed: 42 }
   */
  seed?: number;
  /**
   * Standard deviation of the normal(0, std) values, finite and in [0, 1e30]. Default 0.02 (HF
   * `initializer_range` of BERT and GPT-2).
   * @example { maxPositions: 512, dim: 768, std: 0.02 }
   */
  std?: number;
}

export interface LearnedLookupOptions extends LearnedShape {
  /**
   * The table, row-major `[maxPositions][dim]`: from `table()` or trained weights (e.g. a model's
   * `position_embeddings.weight`). Exactly maxPositions * dim finite values. A `Float64Array` or
   * number array is converted to float32.
   * @example pe.learned.table({ maxPositions: 512, dim: 768 })
   */
  table: FloatData;
  /**
   * Positions to read, each an integer in [0, maxPositions). A position the table has no row for
   * (negative, or >= maxPositions) is a RangeError naming its index and value.
   * @example new Int32Array([0, 1, 2, 3])
   */
  positions: IntData;
}

/** A preset shape. */
export interface LearnedPreset {
  /**
   * HF `max_position_embeddings` (`n_positions` for GPT-2).
   * @example pe.learned.presets.bert.maxPositions // 512
   */
  readonly maxPositions: number;
  /**
   * HF `hidden_size` (`n_embd` for GPT-2) of the base/small model.
   * @example pe.learned.presets.gpt2.dim // 768
   */
  readonly dim: number;
}

/** The `pe.learned` namespace. */
export interface Learned {
  /**
   * A learned absolute table initialised as BERT and GPT-2 are, normal(0, std), from a seed:
   * SplitMix64 uniforms, Marsaglia's polar method, float32(std * z) in row-major order. Row-major
   * `[maxPositions][dim]`; a larger maxPositions with the same dim and seed starts with the same rows.
   * @example pe.learned.table({ maxPositions: 512, dim: 768, seed: 1 }) // Float32Array(393216)
   */
  table<O extends Float32Out>(options: LearnedTableOptions & { out: O }): O;
  table(options: LearnedTableOptions & { out?: undefined }): Float32Result;
  /**
   * Rows of a table for the given positions: `[positions.length][dim]`, row n = table row
   * positions[n]. A learned table has no row beyond maxPositions - 1 (BERT cannot read position 512).
   * @example
   * const table = pe.learned.table(pe.learned.presets.bert);
   * pe.learned.lookup({ ...pe.learned.presets.bert, table, positions: [0, 1, 2] }) // Float32Array(2304)
   */
  lookup<O extends Float32Out>(options: LearnedLookupOptions & { out: O }): O;
  lookup(options: LearnedLookupOptions & { out?: undefined }): Float32Result;
  /**
   * Shapes of well-known tables (frozen data): BERT-base (`BertEmbeddings.position_embeddings`,
   * 512 x 768) and GPT-2 small (`wpe`, 1024 x 768). Both are initialised with std 0.02, the default.
   * @example pe.learned.table({ ...pe.learned.presets.gpt2, seed: 3 })
   */
  readonly presets: { readonly bert: LearnedPreset; readonly gpt2: LearnedPreset };
}

export interface LearnedApi {
  /**
   * Learned absolute position tables (BERT, GPT-2): generate one, look rows up.
   * @example pe.learned.lookup({ table, maxPositions: 512, dim: 768, positions: [5] })
   */
  readonly learned: Learned;
}
