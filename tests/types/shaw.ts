// SPDX-License-Identifier: MIT
// pe.shaw used as documented in lib/shaw.d.ts; the @ts-expect-error lines must fail to compile.
import { init, type ShawAttention, type ShawAttentionOptions, type ShawIndexOptions } from 'posenc';

async function main(): Promise<void> {
  const pe = await init();
  const index: ShawIndexOptions = { queries: 4, keys: 6, maxDistance: 2, queryOffset: 2 };
  const idx: Int32Array = pe.shaw.indices(index);
  const square: Int32Array = pe.shaw.indices({ queries: 3, maxDistance: 1 });

  const dim = 4, rows = 5;
  const opts: ShawAttentionOptions = {
    q: new Float32Array(4 * dim), k: new Float64Array(6 * dim), v: Array.from({ length: 6 * dim }, () => 0.5),
    tableK: new Float32Array(rows * dim), tableV: new Float32Array(rows * dim),
    queries: 4, keys: 6, dim, maxDistance: 2, causal: true, queryOffset: 2,
  };
  const result: ShawAttention = pe.shaw.attention(opts);
  const logits: Float32Array = result.logits;
  const { weights, output } = pe.shaw.attention({ ...opts, causal: false });

  // @ts-expect-error: maxDistance is required
  pe.shaw.indices({ queries: 3 });
  // @ts-expect-error: causal is an option of attention only
  pe.shaw.indices({ queries: 3, maxDistance: 1, causal: true });
  // @ts-expect-error: causal is a boolean
  pe.shaw.attention({ ...opts, causal: 'yes' });
  // @ts-expect-error: q is float data, not an Int32Array
  pe.shaw.attention({ ...opts, q: new Int32Array(16) });
  // @ts-expect-error: tableV is required
  pe.shaw.attention({ q: opts.q, k: opts.k, v: opts.v, tableK: opts.tableK, queries: 4, dim, maxDistance: 2 });
  // @ts-expect-error: the indices are an Int32Array
  const wrongIdx: Float32Array = pe.shaw.indices(index);
  // @ts-expect-error: the result has no 'scores' member
  console.log(result.scores);

  console.log(idx.length, square.length, logits.length, weights.length, output.length, wrongIdx);
}

void main();
