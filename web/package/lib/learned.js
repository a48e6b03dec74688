// SPDX-License-Identifier: MIT
// pe.learned: learned absolute position tables, BERT / GPT-2 style (C++: src/posenc/learned.hpp).
import { describe, floats, integer, ints, number, options, outTarget } from './args.js';
import { MAX_OUTPUT_BYTES, MAX_POSITION, call } from './runtime.js';

const TABLE = 'posenc.learned.table';
const LOOKUP = 'posenc.learned.lookup';
const MAX_FLOATS = MAX_OUTPUT_BYTES / 4;

/** Shapes of well-known tables (HF configs: max_position_embeddings x hidden_size); both use std 0.02. */
const PRESETS = {
  bert: { maxPositions: 512, dim: 768 },
  gpt2: { maxPositions: 1024, dim: 768 },
};

/** The members this module adds to the library object. */
export function bind(mod) {
  return {
    learned: {
      table: (opts) => table(mod, opts),
      lookup: (opts) => lookup(mod, opts),
      presets: PRESETS,
    },
  };
}

function shape(where, o) {
  const maxPositions = integer(where, 'maxPositions', o.maxPositions, { min: 1, max: MAX_POSITION + 1 });
  const dim = integer(where, 'dim', o.dim, { min: 1, max: MAX_FLOATS });
  if (maxPositions * dim > MAX_FLOATS) {
    throw new RangeError(`${where}: maxPositions * dim = ${maxPositions * dim} floats exceeds the 256 MiB limit`);
  }
  return { maxPositions, dim };
}

function table(mod, opts) {
  const o = options(TABLE, opts, ['maxPositions', 'dim', 'seed', 'std', 'out']);
  const { maxPositions, dim } = shape(TABLE, o);
  const seed = integer(TABLE, 'seed', o.seed, { min: 0, max: Number.MAX_SAFE_INTEGER, fallback: 0 });
  const std = number(TABLE, 'std', o.std, { min: 0, max: 1e30, fallback: 0.02 });
  const count = maxPositions * dim;
  return call(mod, TABLE, [], [[Float32Array, count, undefined, undefined, outTarget(TABLE, o.out, Float32Array, count)]], (out) =>
    mod.learnedTable(out, count, maxPositions, dim, seed, std))[0];
}

function lookup(mod, opts) {
  const o = options(LOOKUP, opts, ['table', 'maxPositions', 'dim', 'positions', 'out']);
  const { maxPositions, dim } = shape(LOOKUP, o);
  const t = floats(LOOKUP, 'table', o.table, { length: maxPositions * dim, resident: true });
  const positions = rows(o.positions, maxPositions);
  const count = positions.length * dim;
  if (count > MAX_FLOATS) {
    throw new RangeError(`${LOOKUP}: positions.length * dim = ${count} floats exceeds the 256 MiB output limit`);
  }
  return call(mod, LOOKUP, [{ data: t, name: 'table', finite: false }, positions], [[Float32Array, count, undefined, undefined, outTarget(LOOKUP, o.out, Float32Array, count)]], (ta, pa, out) =>
    mod.learnedLookup(ta, t.length, pa, positions.length, out, count, maxPositions, dim))[0];
}

// Positions as an Int32Array (an Int32Array as is, or an array of integers), each a row of the table.
function rows(value, maxPositions) {
  return ints(LOOKUP, 'positions', value, { check: (p, n) => {
    if (!Number.isInteger(p)) throw new RangeError(`${LOOKUP}: positions[${n}] must be an integer, got ${describe(p)}`);
    if (p < 0) throw new RangeError(`${LOOKUP}: positions[${n}] = ${p} is negative: a learned absolute table has no row for it`);
    if (p >= maxPositions) {
      throw new RangeError(`${LOOKUP}: positions[${n}] = ${p} is beyond the table (maxPositions ${maxPositions}): `
        + 'a learned absolute table has no row for it');
    }
  } });
}
