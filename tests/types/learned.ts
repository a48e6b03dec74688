// SPDX-License-Identifier: MIT
// pe.learned used as documented in lib/learned.d.ts; the @ts-expect-error lines must fail to compile.
import { init, type LearnedLookupOptions, type LearnedPreset, type LearnedTableOptions } from 'posenc';

async function main(): Promise<void> {
  const pe = await init();
  const bert: LearnedPreset = pe.learned.presets.bert;
  const opts: LearnedTableOptions = { ...bert, seed: 7, std: 0.02 };
  const table: Float32Array = pe.learned.table(opts);
  const gpt2: Float32Array = pe.learned.table({ ...pe.learned.presets.gpt2 });
  const lookup: LearnedLookupOptions = { ...bert, table, positions: new Int32Array([0, 1, 511]) };
  const rows: Float32Array = pe.learned.lookup(lookup);
  const more: Float32Array = pe.learned.lookup({ table: [1, 2, 3, 4], maxPositions: 2, dim: 2, positions: [1, 0] });
  const f64: Float32Array = pe.learned.lookup({ table: new Float64Array(4), maxPositions: 4, dim: 1, positions: [3] });
  const rowsOfBert: number = pe.learned.presets.bert.maxPositions;

  // @ts-expect-error: dim is required
  pe.learned.table({ maxPositions: 512 });
  // @ts-expect-error: seed is a number, not a bigint
  pe.learned.table({ ...bert, seed: 1n });
  // @ts-expect-error: unknown option
  pe.learned.table({ ...bert, mean: 0 });
  // @ts-expect-error: positions are integers, not a Float32Array
  pe.learned.lookup({ ...bert, table, positions: new Float32Array([1]) });
  // @ts-expect-error: table is required
  pe.learned.lookup({ ...bert, positions: [0] });
  // @ts-expect-error: presets are read-only
  pe.learned.presets.bert.dim = 1024;
  // @ts-expect-error: the namespace is read-only
  pe.learned = pe.learned;
  // @ts-expect-error: the result is a Float32Array
  const wrong: Float64Array = pe.learned.table(opts);

  console.log(gpt2.length, rows.length, more.length, f64.length, rowsOfBert, wrong);
}

void main();
