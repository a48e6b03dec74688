// SPDX-License-Identifier: MIT
// The parts of the benchmark harness that run anywhere (Node and a browser page, served as a file):
// seeded inputs, the interleaved timing loop and its statistics. lib/harness.mjs re-exports them.

/** n floats in [-1, 1) from a 32-bit LCG: the same inputs for the same seed on every run. */
export function randomArray(n, seed) {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/** Median, min, mean, and the 10th/90th percentiles of a list of milliseconds. */
export function summarize(samples) {
  const s = [...samples].sort((a, b) => a - b);
  const n = s.length;
  const q = (p) => {
    const x = (n - 1) * p;
    const lo = Math.floor(x);
    return lo + 1 < n ? s[lo] + (s[lo + 1] - s[lo]) * (x - lo) : s[lo];
  };
  return {
    n,
    medianMs: q(0.5),
    minMs: s[0],
    meanMs: s.reduce((a, b) => a + b, 0) / n,
    p10Ms: q(0.1),
    p90Ms: q(0.9),
  };
}

let sink;  // keeps each sample's result alive until its timer has stopped

/**
 * Time contenders interleaved. `contenders`: [{ id, run }] where run() does one complete
 * operation (it may return a promise, which is awaited inside the timed region). Each round runs
 * every contender once; the starting contender rotates from round to round so that no contender
 * always follows the same one. `warmupRounds` untimed rounds come first; then rounds are timed
 * until both `minRounds` and `budgetMs` are reached, or `maxRounds`. Returns { rounds, samples }
 * with samples: id -> [ms].
 */
export async function timeInterleaved(contenders, { warmupRounds, minRounds, maxRounds, budgetMs, gc = null }) {
  const n = contenders.length;
  const samples = Object.fromEntries(contenders.map((c) => [c.id, []]));
  const once = async (c) => {
    if (gc) gc();
    const t0 = performance.now();
    let r = c.run();
    if (r && typeof r.then === 'function') r = await r;
    const t1 = performance.now();
    sink = r;
    sink = undefined;
    return t1 - t0;
  };
  for (let round = 0; round < warmupRounds; round++) {
    for (let k = 0; k < n; k++) await once(contenders[(round + k) % n]);
  }
  const start = performance.now();
  let rounds = 0;
  while (rounds < maxRounds && (rounds < minRounds || performance.now() - start < budgetMs)) {
    for (let k = 0; k < n; k++) {
      const c = contenders[(rounds + k) % n];
      samples[c.id].push(await once(c));
    }
    rounds++;
  }
  return { rounds, samples };
}
