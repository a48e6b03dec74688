// SPDX-License-Identifier: MIT
// The attention playground's weights above L = 512 (widgets/attention.js), a module loaded at the
// first such length: pe.attention with returnWeights over every head, one call per block of queries,
// the shown head pooled to 512 x 512 block means.
//
// On the site's pages the calls run in the package's pool of module Web Workers (posenc/worker,
// initWorker({ threads }), one worker per core up to MAX_THREADS), which splits each call's queries
// over its workers, the result bit-identical to one call's; the page pools one call's weights while
// the workers compute the next. Each call sends all of k and v to every worker, so the calls there
// are larger (POOL_CALL queries). The custom element (no workers: its page may be on another
// origin), or a page where the workers cannot start, makes the calls on the page's own thread, BLOCK
// queries each, answering between them.
const SIDE = 512;
// Queries per call on the page's thread.
const BLOCK = 64;
// Queries per call in the pool (at least BLOCK per worker): a call's weights are heads x queries x L
// floats, 32 MiB at 8 heads and L = 2048.
const POOL_CALL = 512;
// Each worker holds its own module and heap; beyond this many, more cores gain little here.
const MAX_THREADS = 8;

const TEXT = {
  en: {
    workers: (s, ms, calls, rows, n) => `L = ${s.length}: ${(s.heads * s.length * s.length).toLocaleString('en')} query-key pairs, ${calls} calls of ${rows} queries, ` +
      `each split over ${n} thread${n === 1 ? '' : 's'} (Web Workers), ${ms} ms in all.`,
    page: (s, ms, calls, rows) => `L = ${s.length}: ${(s.heads * s.length * s.length).toLocaleString('en')} query-key pairs, ${calls} calls of ${rows} queries ` +
      `on 1 thread (this page's own, no workers here), ${ms} ms in all.`,
  },
  ja: {
    workers: (s, ms, calls, rows, n) => `L = ${s.length}：クエリとキーの組 ${(s.heads * s.length * s.length).toLocaleString('ja')} 個、${rows} クエリずつ ${calls} 回の呼び出しを` +
      `それぞれ ${n} スレッド（Web Worker）に分けて、合計 ${ms} ms。`,
    page: (s, ms, calls, rows) => `L = ${s.length}：クエリとキーの組 ${(s.heads * s.length * s.length).toLocaleString('ja')} 個、${rows} クエリずつ ${calls} 回の呼び出しを` +
      `1 スレッド（このページ自身。ここでは Worker を使えません）で、合計 ${ms} ms。`,
  },
};

/** Add the weights of one head, rows x L from query i0, into a side x side grid of sums and counts. */
function pool(sums, counts, weights, i0, rows, L, side) {
  for (let r = 0; r < rows; r++) {
    const gi = Math.floor(((i0 + r) * side) / L) * side;
    const row = weights.subarray(r * L, (r + 1) * L);
    for (let j = 0; j < L; j++) {
      const g = gi + Math.floor((j * side) / L);
      sums[g] += row[j];
      counts[g] += 1;
    }
  }
}

// The package's posenc/worker: from the package beside the site, or, in the bundle, its own file
// (scripts/build-site.mjs), so that the site's chunks do not change with it.
const WORKER = import.meta.posencWorker ?? '../../package/worker.js';

const yieldToPage = () => new Promise((resolve) => setTimeout(resolve, 0));

/**
 * The long lengths of one attention widget: weights(...) resolves to { weights (side x side means),
 * side, threads, text (the cost line) }, or null when stale() turned true meanwhile; destroy() ends
 * the workers. `inline`: never start workers.
 */
export function createLong(pe, { inline, lang }) {
  const t = TEXT[lang] ?? TEXT.en;
  let workers = inline ? Promise.resolve(null) : null;
  // The pool starts at the first call; if it cannot (no module workers, a blocked worker script),
  // the calls run on the page.
  const start = () => (workers ??= import(new URL(WORKER, import.meta.url).href)
    .then(({ initWorker }) => initWorker({ threads: Math.max(1, Math.min(MAX_THREADS, navigator.hardwareConcurrency || 2)) }))
    .catch(() => null));

  async function weights(s, head, { q, k, v }, position, stale) {
    const pw = await start();
    const threads = pw ? pw.threads : 1;
    const L = s.length;
    const row = s.heads * s.headdim;
    const step = pw ? Math.max(POOL_CALL, BLOCK * threads) : BLOCK;
    const sums = new Float64Array(SIDE * SIDE);
    const counts = new Uint32Array(SIDE * SIDE);
    const call = (i0) => {
      const rows = Math.min(step, L - i0);
      const options = { q: q.subarray(i0 * row, (i0 + rows) * row), k, v, queryOffset: i0,
        shape: { queries: rows, keys: L, heads: s.heads, headDim: s.headdim }, position, causal: s.causal, returnWeights: true, streaming: false };
      return pw ? pw.attention(options) : pe.attention(options);
    };
    const add = (r, i0) => {
      const rows = Math.min(step, L - i0);
      pool(sums, counts, r.weights.subarray(head * rows * L, (head + 1) * rows * L), i0, rows, L, SIDE);
    };
    let calls = 0;
    let spent = 0;
    if (pw) {
      // One call in the workers while the page pools the previous one's weights.
      const t0 = performance.now();
      let next = call(0);
      for (let i0 = 0; i0 < L; i0 += step) {
        const r = await next;
        calls += 1;
        next = i0 + step < L ? call(i0 + step) : null;
        if (stale()) {
          next?.catch(() => {});
          return null;
        }
        add(r, i0);
      }
      spent = performance.now() - t0;
    } else {
      for (let i0 = 0; i0 < L; i0 += step) {
        const t0 = performance.now();
        const r = call(i0);
        spent += performance.now() - t0;
        calls += 1;
        add(r, i0);
        await yieldToPage();
        if (stale()) return null;
      }
    }
    const means = new Float32Array(SIDE * SIDE);
    for (let g = 0; g < means.length; g++) means[g] = counts[g] ? sums[g] / counts[g] : 0;
    const ms = spent.toFixed(0);
    return { weights: means, side: SIDE, threads, text: pw ? t.workers(s, ms, calls, step, threads) : t.page(s, ms, calls, step) };
  }

  return {
    weights,
    destroy() {
      workers?.then((pw) => pw?.terminate());
    },
  };
}
