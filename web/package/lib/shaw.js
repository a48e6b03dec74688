// SPDX-License-Identifier: MIT
// pe.shaw: relative position representations, Shaw et al. 2018 (C++: src/posenc/shaw.hpp).
import { bool, floats, integer, options, outTarget } from './args.js';
import { MAX_OUTPUT_BYTES, MAX_POSITION, call } from './runtime.js';

const INDICES = 'posenc.shaw.indices';
const ATTENTION = 'posenc.shaw.attention';
const MAX_FLOATS = MAX_OUTPUT_BYTES / 4;

/** The members this module adds to the library object. */
export function bind(mod) {
  return {
    shaw: {
      indices: (opts) => indices(mod, opts),
      attention: (opts) => attention(mod, opts),
    },
  };
}

// queries, keys (default queries), maxDistance and queryOffset (default keys - queries).
function positions(where, o) {
  const queries = integer(where, 'queries', o.queries, { min: 1, max: MAX_POSITION + 1 });
  const keys = integer(where, 'keys', o.keys, { min: 1, max: MAX_POSITION + 1, fallback: queries });
  const maxDistance = integer(where, 'maxDistance', o.maxDistance, { min: 0, max: MAX_POSITION });
  let queryOffset;
  if (o.queryOffset === undefined) {
    queryOffset = keys - queries;
    if (queryOffset < 0) {
      throw new RangeError(`${where}: queryOffset defaults to keys - queries = ${queryOffset}, which is negative: `
        + 'pass queryOffset >= 0 (query i sits at position queryOffset + i)');
    }
  } else {
    queryOffset = integer(where, 'queryOffset', o.queryOffset, { min: 0, max: MAX_POSITION });
  }
  if (queryOffset + queries - 1 > MAX_POSITION) {
    throw new RangeError(`${where}: the last query position, queryOffset + queries - 1 = ${queryOffset + queries - 1}, exceeds 2^24`);
  }
  return { queries, keys, maxDistance, queryOffset };
}

function indices(mod, opts) {
  const o = options(INDICES, opts, ['queries', 'keys', 'maxDistance', 'queryOffset', 'out']);
  const { queries, keys, maxDistance, queryOffset } = positions(INDICES, o);
  const count = queries * keys;
  if (count > MAX_FLOATS) {
    throw new RangeError(`${INDICES}: queries * keys = ${count} exceeds the 256 MiB output limit`);
  }
  return call(mod, INDICES, [], [[Int32Array, count, undefined, undefined, outTarget(INDICES, o.out, Int32Array, count)]], (out) =>
    mod.shawIndices(out, count, queries, keys, maxDistance, queryOffset))[0];
}

function attention(mod, opts) {
  const o = options(ATTENTION, opts,
    ['q', 'k', 'v', 'tableK', 'tableV', 'queries', 'keys', 'dim', 'maxDistance', 'causal', 'queryOffset', 'out']);
  const { queries, keys, maxDistance, queryOffset } = positions(ATTENTION, o);
  const dim = integer(ATTENTION, 'dim', o.dim, { min: 1, max: MAX_FLOATS });
  const causal = bool(ATTENTION, 'causal', o.causal, false);
  const qk = queries * keys, qd = queries * dim;
  if (2 * qk + qd > MAX_FLOATS) {
    throw new RangeError(`${ATTENTION}: logits, weights and output (2 * queries * keys + queries * dim = `
      + `${2 * qk + qd} floats) exceed the 256 MiB output limit`);
  }
  const rows = 2 * maxDistance + 1;
  const resident = true;
  const q = floats(ATTENTION, 'q', o.q, { length: qd, resident });
  const k = floats(ATTENTION, 'k', o.k, { length: keys * dim, resident });
  const v = floats(ATTENTION, 'v', o.v, { length: keys * dim, resident });
  const tableK = floats(ATTENTION, 'tableK', o.tableK, { length: rows * dim, resident });
  const tableV = floats(ATTENTION, 'tableV', o.tableV, { length: rows * dim, resident });
  // Named, so that a tensor of another instance is refused by name (the values were scanned above).
  const named = (data, name) => ({ data, name, finite: false });
  const inputs = [named(q, 'q'), named(k, 'k'), named(v, 'v'), named(tableK, 'tableK'), named(tableV, 'tableV')];
  const [logits, weights, output] = call(mod, ATTENTION, inputs,
    [[Float32Array, qk], [Float32Array, qk], [Float32Array, qd, undefined, undefined, outTarget(ATTENTION, o.out, Float32Array, qd)]],
    (qa, ka, va, tka, tva, la, wa, oa) => mod.shawAttention(qa, q.length, ka, k.length, va, v.length,
      tka, tableK.length, tva, tableV.length, la, qk, wa, qk, oa, qd, queries, keys, dim, maxDistance, causal, queryOffset));
  return { logits, weights, output };
}
