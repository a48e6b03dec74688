// SPDX-License-Identifier: MIT
// pe.tensor() / pe.zeros(): data that lives in the WebAssembly memory of one instance (lib/tensor.js).

import type { FloatInput, IntInput } from './arrays.js';

declare global {
  interface SymbolConstructor {
    /** The method `using` calls when a declaration leaves its scope (ES explicit resource management). */
    readonly dispose: unique symbol;
  }
}

/** Element types of a tensor. */
export type TensorDtype = 'float32' | 'float64' | 'int32' | 'uint8';

/** The typed array of each dtype. */
export interface TensorArrays {
  float32: Float32Array;
  float64: Float64Array;
  int32: Int32Array;
  uint8: Uint8Array;
}

/**
 * Numbers living in the WebAssembly memory of the instance that made them. Every function that
 * takes arrays takes tensors too; large inputs (RoPE's x, attention's q, k, v, tables) are then read
 * where they live instead of being copied in, and `out: tensor` writes a result where it lives.
 * A tensor belongs to the `pe` that made it (another instance rejects it with a TypeError). Free it
 * with dispose() or `using`; a tensor that is garbage-collected undisposed is freed too, later.
 */
export declare class Tensor<D extends TensorDtype = TensorDtype> {
  private constructor();
  /** The shape given when the tensor was made (its product is `length`). */
  readonly shape: readonly number[];
  readonly dtype: D;
  /** Number of elements. */
  readonly length: number;
  /** Bytes of WebAssembly memory held. */
  readonly byteLength: number;
  /** Whether dispose() has been called. */
  readonly disposed: boolean;
  /**
   * A view of the tensor's memory: writing it writes the tensor. Each read of `data` gives a view
   * valid for the current memory; memory growth (any allocation) detaches older views, so read
   * `data` again after calls instead of keeping it. Throws a TypeError once disposed.
   */
  readonly data: TensorArrays[D];
  /** A copy of the values in a new typed array. */
  toArray(): TensorArrays[D];
  /** Free the memory now. Using the tensor afterwards throws a TypeError; a second dispose() does nothing. */
  dispose(): void;
  /** dispose(), for `using t = pe.tensor(...)`. */
  [Symbol.dispose](): void;
}

/** Where a float32 result can be written: a Float32Array of the result's length or a float32 tensor. */
export type Float32Out = Float32Array | Tensor<'float32'>;
/** Where an int32 result can be written: an Int32Array of the result's length or an int32 tensor. */
export type Int32Out = Int32Array | Tensor<'int32'>;
/** Float data: a typed array, an array of numbers, or a float tensor. */
export type FloatData = FloatInput | Tensor<'float32' | 'float64'>;
/** Integer data: an Int32Array, an array of integers, or an int32 tensor. */
export type IntData = IntInput | Tensor<'int32'>;

export interface TensorOptions {
  /** Shape; its product must equal the number of values. Default: [values.length]. */
  shape?: readonly number[];
  /** Element type. Default: the typed array's (float32 for an array of numbers). */
  dtype?: TensorDtype;
}

export interface TensorApi {
  /**
   * A tensor holding a copy of `values`.
   * @example
   * const x = pe.tensor(values, { shape: [seq, heads, headDim] });
   * pe.rope.apply(x, { shape: x.shape as [number, number, number], frequencies: f, out: x }); // in place
   * x.dispose();
   */
  tensor<D extends TensorDtype>(values: ArrayLike<number>, options: TensorOptions & { dtype: D }): Tensor<D>;
  tensor(values: Float64Array, options?: { shape?: readonly number[] }): Tensor<'float64'>;
  tensor(values: Int32Array, options?: { shape?: readonly number[] }): Tensor<'int32'>;
  tensor(values: Uint8Array, options?: { shape?: readonly number[] }): Tensor<'uint8'>;
  tensor(values: Float32Array | readonly number[], options?: { shape?: readonly number[] }): Tensor<'float32'>;
  /** A tensor of zeros with the given shape (float32 unless `dtype` is given). */
  zeros<D extends TensorDtype = 'float32'>(shape: readonly number[], options?: { dtype?: D }): Tensor<D>;
  /** The dtypes accepted. */
  readonly dtypes: readonly TensorDtype[];
}
