// SPDX-License-Identifier: MIT
// The page of bench/browser-parallel.mjs: one iframe per contender (contender.mjs), the outputs
// checked against posenc's and against the float64 reference, then every contender timed
// interleaved from this page (lib/timing.mjs): performance.now() around `await contender.run()`.
import { timeInterleaved } from '../lib/timing.mjs';

const HEADS = 8, DIM = 64;

function frame(src) {
  return new Promise((resolve, reject) => {
    const f = document.createElement('iframe');
    f.src = src;
    const poll = () => {
      const c = f.contentWindow?.contender;
      if (!c) return setTimeout(poll, 20);
      if (c.error) reject(new Error(c.error));
      else resolve(c);
    };
    f.addEventListener('load', poll, { once: true });
    document.body.append(f);
  });
}

/**
 * Max abs difference of `out` (in `layout`: 'seq' [seq][heads][dim] or 'heads' [heads][seq][dim])
 * from `ref` ([seq][heads][dim]) over the query rows `rows` (null: all).
 */
function maxAbsDiff(out, layout, ref, seq, rows) {
  if (!out || out.length !== ref.length) return Infinity;
  let max = 0;
  for (const t of rows ?? Array.from({ length: seq }, (_, i) => i)) {
    for (let h = 0; h < HEADS; h++) {
      const o = layout === 'seq' ? (t * HEADS + h) * DIM : (h * seq + t) * DIM, r = (t * HEADS + h) * DIM;
      for (let d = 0; d < DIM; d++) {
        const e = Math.abs(out[o + d] - ref[r + d]);
        if (!(e <= max)) max = e;  // NaN sticks
      }
    }
  }
  return max;
}

/**
 * list: [{ id, lib, threads }] (the first one is the posenc output the others are compared with;
 * 'echo' contenders compute nothing and are not checked);
 * settings: timeInterleaved's; rows: the query rows the float64 reference holds (null: all). Returns
 * what Node prints and writes.
 */
window.runBenchmark = async ({ seq, list, settings, rows = null }) => {
  if (!crossOriginIsolated) throw new Error('the page is not cross-origin isolated (COOP/COEP headers missing?)');
  const contenders = [];
  for (const c of list) contenders.push({ ...c, ...(await frame(`contender.html?lib=${c.lib}&threads=${c.threads}&seq=${seq}`)) });
  const reference = new Float64Array(await (await fetch(`/gen/ref-${seq}.f64`)).arrayBuffer());
  const posenc = await contenders[0].run();
  const checks = {};
  for (const c of contenders.filter((x) => x.lib !== 'echo')) {
    const out = await c.run();
    const layout = c.lib.startsWith('posenc') ? 'seq' : 'heads';
    checks[c.id] = { vsPosenc: maxAbsDiff(out, layout, posenc, seq, null), vsReference: maxAbsDiff(out, layout, reference, seq, rows) };
  }
  const gc = typeof window.gc === 'function' ? () => window.gc() : null;
  const { rounds, samples } = await timeInterleaved(contenders.map((c) => ({ id: c.id, run: c.run })), { ...settings, gc });
  // Infinity and NaN do not survive the trip to Node as JSON numbers.
  const finite = (x) => (x === null || Number.isFinite(x) ? x : String(x));
  return {
    crossOriginIsolated, hardwareConcurrency: navigator.hardwareConcurrency, userAgent: navigator.userAgent, gcBetweenSamples: Boolean(gc), rounds,
    contenders: contenders.map((c) => ({ id: c.id, info: c.info, vsPosenc: finite(checks[c.id]?.vsPosenc ?? null), vsReference: finite(checks[c.id]?.vsReference ?? null), samples: samples[c.id] })),
  };
};

/**
 * What memory costs in this page, for reading the pool's data movement: a new 2 MiB Float32Array
 * written once (fresh pages: the cost of every new array a call makes, in the page and in the
 * workers), a copy of 2 MiB into a new array (slice), and into an array already written (set).
 * Medians of 15 in ms.
 */
window.memoryCosts = () => {
  const n = 1 << 19, src = new Float32Array(n).fill(1), dst = new Float32Array(n);
  const median = (f) => {
    const xs = [];
    for (let i = 0; i < 15; i++) {
      const t0 = performance.now();
      f();
      xs.push(performance.now() - t0);
    }
    return xs.sort((a, b) => a - b)[7];
  };
  let keep;
  const fresh = median(() => { keep = new Float32Array(n); keep.fill(1); });
  const slice = median(() => { keep = src.slice(); });
  const reuse = median(() => { dst.set(src); });
  return { bytes: 4 * n, newArrayWrittenMs: fresh, sliceMs: slice, copyIntoWrittenMs: reuse, kept: keep.length };
};
