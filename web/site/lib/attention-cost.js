// SPDX-License-Identifier: MIT
// What attention costs against the length L, measured (CLAIMS 14): for each path of pe.attention,
// the time of one call (the median of a few) and the WebAssembly memory the module needed (its heap
// size after the call: it grows to fit and never shrinks, so each path runs in a fresh instance).
//   plain      streaming: false, returnWeights: true: the L x L weights of every head are formed
//              and returned, as an implementation that materialises the attention matrix does;
//   streaming  streaming: true: online softmax over blocks of keys, the weights never stored.
// Both do the same L^2 work. The same generator runs in widgets/cost-worker.js (one worker per path,
// so the reader's page stays responsive), on the main thread (the custom element: no workers), and
// in scripts/attention-cost.mjs (the reference measurement of web/site/data/attention-cost.json).
import { uniform } from './random.js';

export const COST_SETTINGS = Object.freeze({ heads: 4, headDim: 32, method: 'alibi', causal: true });
export const COST_LENGTHS = Object.freeze([64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384]);
export const COST_PATHS = Object.freeze(['plain', 'streaming']);

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * Measure `path` at each length until the next length would take longer than `budgetMs` per call
 * (four times the last) or the package refuses the size. Yields { type: 'point', path, length, ms, runs,
 * heapBytes, weightsBytes } per length, then { type: 'stop', path, length, reason, message? }
 * (reason 'budget' | 'refused' | 'done').
 */
export function* measurePath(pe, path, { budgetMs = 1000, lengths = COST_LENGTHS, now = () => performance.now() } = {}) {
  const { heads, headDim, method, causal } = COST_SETTINGS;
  const argsAt = (length) => {
    const n = length * heads * headDim;
    return { q: uniform(n, 11), k: uniform(n, 12), v: uniform(n, 13), shape: [length, heads, headDim], position: method, causal,
      ...(path === 'plain' ? { streaming: false, returnWeights: true } : { streaming: true }) };
  };
  // Warm-up: a fresh instance runs its first calls in the engine's baseline code until the
  // optimising tier has compiled the module; a few small calls first, so that the small lengths
  // are not timed in it.
  const warm = argsAt(lengths[0]);
  for (let i = 0, t0 = now(); i < 200 && now() - t0 < Math.min(100, budgetMs); i++) pe.attention(warm);
  for (const length of lengths) {
    const args = argsAt(length);
    const times = [];
    const sum = () => times.reduce((a, b) => a + b, 0);
    try {
      // The first call is also this size's warm-up; a fast size gets up to 15 runs (about 50 ms).
      do {
        const t0 = now();
        pe.attention(args);
        times.push(now() - t0);
      } while (times.length < 15 && times[0] <= budgetMs / 4 && (times.length < 3 || sum() < Math.min(50, budgetMs)));
    } catch (e) {
      yield { type: 'stop', path, length, reason: 'refused', message: e instanceof Error ? e.message : String(e) };
      return;
    }
    const ms = median(times.length > 1 ? times.slice(1) : times);
    yield { type: 'point', path, length, ms, runs: times.length, heapBytes: pe.diagnostics().heapBytes,
      weightsBytes: path === 'plain' ? heads * length * length * 4 : 0 };
    // Twice the length costs about four times as much: stop before a call would exceed the budget.
    if (4 * ms > budgetMs) {
      yield { type: 'stop', path, length, reason: 'budget' };
      return;
    }
  }
  yield { type: 'stop', path, length: lengths.at(-1), reason: 'done' };
}
