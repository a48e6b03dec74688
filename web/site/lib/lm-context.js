// SPDX-License-Identifier: MIT
// Does a trained model use the long context? (claim 13) Extra work units that the worker of the
// train-short-test-long widget (widgets/lm-worker.js) runs after a method's evaluation, through
// runMethod's `extra` option (lib/lm-run.js), on the same trainer and evaluation ids:
//   - for every length beyond CONTEXT the model can read, on the first quarter of that length's
//     evaluation windows (at least one): the full-context perplexity and the perplexity of the same
//     windows and scored tokens with every layer's attention cut to the last CONTEXT tokens (pe.lm
//     evaluate's `window`), so cut - full is the gain from the context beyond it (about 0: the model
//     ignores the distant tokens);
//   - the share of attention each layer and head puts beyond DISTANCES, over one window of the
//     longest length the model reads (pe.lm attentionProfile).
// A quarter of the windows and one profile window keep this under a fifth of a method's evaluation
// time (the cut costs about twice a full evaluation; bench/lm-context.mjs).
// Reports: { type: 'context', length, full, cut, windows } and { type: 'profile', length, distances, share }.
import { CONTEXT, LENGTHS } from './lm-run.js';

export const DISTANCES = [16, 64, 256];

/**
 * The first `share` of the evaluation windows of one length (at least one) as lm-run.js's
 * evaluateRow counts them: evaluation ids and scored-token budget.
 */
export function span(eval_, scored, length, share = 1) {
  const all = Math.min(Math.max(1, Math.floor(scored / length)), Math.floor((eval_.length - 1) / length));
  const windows = Math.max(1, Math.ceil(all * share));
  return all < 1 ? null : { tokens: eval_.subarray(0, windows * length + 1), length, maxScored: windows * length, windows };
}

export function* contextUse(trainer, { data, scored, position }) {
  const longest = position === 'learned' ? CONTEXT : LENGTHS.at(-1);
  for (const length of LENGTHS.filter((L) => L > CONTEXT && L <= longest)) {
    const s = span(data.eval, scored, length, 1 / 4);
    if (!s) continue;
    const { windows, ...o } = s;
    yield { type: 'context', length, windows, full: trainer.evaluate(o).perplexity, cut: trainer.evaluate({ ...o, window: CONTEXT }).perplexity };
  }
  const s = span(data.eval, scored, longest, 0);
  if (s) {
    const { windows: _, ...o } = s;
    const p = trainer.attentionProfile({ ...o, distances: DISTANCES });
    yield { type: 'profile', length: longest, distances: p.distances, share: p.share };
  }
}
