// SPDX-License-Identifier: MIT
// pe.nope.bias(): no positional encoding, only the causal mask (C++: src/posenc/nope.hpp). Also the
// argument checks of the [heads, queries, keys] geometry that alibi, t5 and kerple share.
import { bool, integer, options, outTarget, own } from './args.js';
import { MAX_OUTPUT_BYTES, MAX_POSITION, float32Result } from './runtime.js';

/** The largest head count accepted (src/posenc/nope.hpp, max_heads). */
export const MAX_HEADS = 65536;

/** Option keys of the geometry. */
export const SHAPE_KEYS = ['heads', 'queries', 'keys', 'queryOffset'];

/**
 * Check heads, queries, keys (default: queries) and queryOffset (default: keys - queries) of an
 * options object; returns them with `count` = heads * queries * keys.
 */
export function attentionShape(where, o, fallbacks) {
  const { heads: headsFallback } = own(fallbacks);
  const heads = integer(where, 'heads', o.heads, { min: 1, max: MAX_HEADS, fallback: headsFallback });
  const queries = integer(where, 'queries', o.queries, { min: 1, max: MAX_POSITION + 1 });
  const keys = integer(where, 'keys', o.keys, { min: 1, max: MAX_POSITION + 1, fallback: queries });
  let queryOffset;
  if (o.queryOffset === undefined) {
    queryOffset = keys - queries;
    if (queryOffset < 0) {
      throw new RangeError(`${where}: queryOffset defaults to keys - queries = ${queryOffset}, which is negative: give queryOffset`);
    }
  } else {
    queryOffset = integer(where, 'queryOffset', o.queryOffset, { min: 0, max: MAX_POSITION });
  }
  if (queryOffset + queries - 1 > MAX_POSITION) {
    throw new RangeError(`${where}: queryOffset + queries - 1 = ${queryOffset + queries - 1} exceeds the largest position, 2^24`);
  }
  const count = heads * queries * keys;
  if (count * 4 > MAX_OUTPUT_BYTES) {
    throw new RangeError(`${where}: heads * queries * keys = ${count} floats exceeds the ${MAX_OUTPUT_BYTES / 2 ** 20} MiB output limit`);
  }
  return { heads, queries, keys, queryOffset, count };
}

const WHERE = 'posenc.nope.bias';
const KEYS = [...SHAPE_KEYS, 'causal', 'out'];

/** The members this module adds to the library object. */
export function bind(mod) {
  return { nope: { bias: (opts) => bias(mod, opts) } };
}

function bias(mod, opts) {
  const o = options(WHERE, opts, KEYS);
  const s = attentionShape(WHERE, o, { heads: 1 });
  const causal = bool(WHERE, 'causal', o.causal, false);
  return float32Result(mod, WHERE, s.count, (out) =>
    mod.nopeBias(out, s.count, s.heads, s.queries, s.keys, s.queryOffset, causal), outTarget(WHERE, o.out, Float32Array, s.count));
}
