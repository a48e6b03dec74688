// SPDX-License-Identifier: MIT
// pe.t5: T5 relative position buckets and bias (C++: src/posenc/t5.hpp).
import { bool, floats, integer, ints, options, outTarget } from './args.js';
import { call } from './runtime.js';
import { SHAPE_KEYS, attentionShape } from './nope.js';

const BUCKET_KEYS = ['bidirectional', 'numBuckets', 'maxDistance'];
const BIAS_KEYS = [...SHAPE_KEYS, 'table', ...BUCKET_KEYS, 'out'];

/** The members this module adds to the library object. */
export function bind(mod) {
  return {
    t5: {
      bucket: (relativePositions, opts) => bucket(mod, relativePositions, opts),
      bias: (opts) => bias(mod, opts),
    },
  };
}

/**
 * bidirectional, numBuckets, maxDistance with their domain (max_exact >= 1, maxDistance > max_exact);
 * `prefix` names where they sit (e.g. 'position.').
 */
export function bucketOptions(where, o, prefix = '') {
  const bidirectional = bool(where, `${prefix}bidirectional`, o.bidirectional, true);
  const numBuckets = integer(where, `${prefix}numBuckets`, o.numBuckets, { min: bidirectional ? 4 : 2, max: 65536, fallback: 32 });
  const maxExact = Math.floor((bidirectional ? Math.floor(numBuckets / 2) : numBuckets) / 2);
  const maxDistance = integer(where, `${prefix}maxDistance`, o.maxDistance, { max: 2 ** 31 - 1, fallback: 128 });
  if (maxDistance <= maxExact) {
    throw new RangeError(`${where}: ${prefix}maxDistance must be > ${maxExact} (the last exact distance; numBuckets / ${bidirectional ? 4 : 2} ` +
      `${bidirectional ? 'when bidirectional' : 'when causal'}), got ${maxDistance}`);
  }
  return { bidirectional, numBuckets, maxDistance };
}

function bucket(mod, relativePositions, opts = {}) {
  const where = 'posenc.t5.bucket';
  const rp = ints(where, 'relativePositions', relativePositions);
  const o = options(where, opts, [...BUCKET_KEYS, 'out']);
  const b = bucketOptions(where, o);
  const n = rp.length;
  return call(mod, where, [rp], [[Int32Array, n, undefined, undefined, outTarget(where, o.out, Int32Array, n)]], (input, out) =>
    mod.t5Buckets(input, n, out, b.bidirectional, b.numBuckets, b.maxDistance))[0];
}

function bias(mod, opts) {
  const where = 'posenc.t5.bias';
  const o = options(where, opts, BIAS_KEYS);
  const s = attentionShape(where, o);
  const b = bucketOptions(where, o);
  const table = floats(where, 'table', o.table, { resident: true });
  if (table.length !== b.numBuckets * s.heads) {
    throw new RangeError(`${where}: table must have numBuckets * heads = ${b.numBuckets * s.heads} values ` +
      `([numBuckets][heads], as relative_attention_bias.weight), got ${table.length}`);
  }
  return call(mod, where, [{ data: table, name: 'table', finite: false }], [[Float32Array, s.count, undefined, undefined, outTarget(where, o.out, Float32Array, s.count)]], (t, out) =>
    mod.t5Bias(t, table.length, out, s.count, s.heads, s.queries, s.keys, s.queryOffset,
      b.bidirectional, b.numBuckets, b.maxDistance))[0];
}
