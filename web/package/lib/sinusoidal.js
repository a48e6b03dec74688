// SPDX-License-Identifier: MIT
// pe.sinusoidal(): Vaswani and fairseq/tensor2tensor tables (C++: src/posenc/sinusoidal.hpp).
import { integer, number, oneOf, options, outTarget } from './args.js';
import { MAX_POSITION, MAX_OUTPUT_BYTES, float32Result } from './runtime.js';

const WHERE = 'posenc.sinusoidal';
const LAYOUTS = ['vaswani', 'fairseq'];
const KEYS = ['length', 'dim', 'base', 'layout', 'offset', 'paddingIdx', 'out'];

/** The members this module adds to the library object. */
export function bind(mod) {
  return { sinusoidal: (opts) => sinusoidal(mod, opts) };
}

export function sinusoidal(mod, opts) {
  const o = options(WHERE, opts, KEYS);
  const length = integer(WHERE, 'length', o.length, { min: 1, max: MAX_POSITION + 1 });
  const dim = integer(WHERE, 'dim', o.dim, { min: 1, max: MAX_OUTPUT_BYTES / 4 });
  const base = number(WHERE, 'base', o.base, { above: 0, fallback: 10000 });
  const layout = oneOf(WHERE, 'layout', o.layout, LAYOUTS, 'vaswani');
  let offset = integer(WHERE, 'offset', o.offset, { min: 0, max: MAX_POSITION, fallback: 0 });
  if (o.paddingIdx !== undefined) {
    const paddingIdx = integer(WHERE, 'paddingIdx', o.paddingIdx, { min: 0, max: MAX_POSITION });
    if (layout !== 'fairseq') throw new RangeError(`${WHERE}: paddingIdx applies to the 'fairseq' layout only`);
    offset += paddingIdx + 1;  // fairseq numbers unpadded tokens from padding_idx + 1
  }
  if (layout === 'fairseq' && dim < 4) {
    throw new RangeError(`${WHERE}: dim must be at least 4 for the 'fairseq' layout (its denominator is dim/2 - 1), got ${dim}`);
  }
  if (length * dim * 4 > MAX_OUTPUT_BYTES) {
    throw new RangeError(`${WHERE}: length * dim = ${length * dim} floats exceeds the ${MAX_OUTPUT_BYTES / 2 ** 20} MiB output limit`);
  }
  if (offset + length - 1 > MAX_POSITION) {
    throw new RangeError(`${WHERE}: the last position (${offset + length - 1}) exceeds 2^24`);
  }
  const count = length * dim;
  return float32Result(mod, WHERE, count, (out) =>
    mod.sinusoidal(out, count, length, dim, base, LAYOUTS.indexOf(layout), offset), outTarget(WHERE, o.out, Float32Array, count));
}
