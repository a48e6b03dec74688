// SPDX-License-Identifier: MIT
// Array types shared by the declarations of every method.

/** Float data in: a `Float32Array` is used as is; a `Float64Array` or an array of numbers is converted. */
export type FloatInput = Float32Array | Float64Array | readonly number[];

/** Integer data in: an `Int32Array` is used as is; an array of integers is converted. */
export type IntInput = Int32Array | readonly number[];

/*
 * Results are new arrays over a plain ArrayBuffer. On TypeScript >= 5.7 (generic typed arrays) these
 * names are `Float32Array<ArrayBuffer>` etc., so a result is a `BlobPart` and is transferable; on older
 * TypeScript they are plain `Float32Array`. (`slice()` is declared to return exactly that on each
 * version, which is why the types are spelt this way.)
 */
/** A Float32Array the caller owns, backed by an ArrayBuffer. */
export type Float32Result = ReturnType<Float32Array['slice']>;
/** A Float64Array the caller owns, backed by an ArrayBuffer. */
export type Float64Result = ReturnType<Float64Array['slice']>;
/** An Int32Array the caller owns, backed by an ArrayBuffer. */
export type Int32Result = ReturnType<Int32Array['slice']>;
