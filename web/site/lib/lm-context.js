// SPDX-License-Identifier: MIT
// Does a trained model use the long context? (claim 13) Extra work units that the worker of the
// train-short-test-long widget (widgets/lm-worker.js) runs after a method's evaluation, through
// runMethod's `extra` option (lib/lm-run.js), on the same trainer and evaluation ids:
//   - for every length beyond CONTEXT the model can read, the perplexity of the same windows and
//     scored tokens with every layer's attention cut to the last CONTEXT tokens (pe.lm evaluate's
//     `window`); the row's own cell is the full-context perplexity, so cut - full is the gain from
//     the context beyond it (about 0: the model ignores the distant tokens);
//   - the share of attention each layer and head puts beyond DISTANCES, at the longest length the
//     model reads (pe.lm attentionProfile).
// Reports: { type: 'context', length, cut } and { type: 'profile', length, distances, share }.
import { CONTEXT, LENGTHS } from './lm-run.js';

export const DISTANCES = [16, 64, 256];

/** The evaluation ids and scored-token budget of one length, as lm-run.js's evaluateRow uses them. */
function span(eval_, scored, length) {
  const windows = Math.min(Math.max(1, Math.floor(scored / length)), Math.floor((eval_.length - 1) / length));
  return windows < 1 ? null : { tokens: eval_.subarray(0, windows * length + 1), length, maxScored: windows * length };
}

export function* contextUse(trainer, { data, scored, position }) {
  const longest = position === 'learned' ? CONTEXT : LENGTHS.at(-1);
  for (const length of LENGTHS.filter((L) => L > CONTEXT && L <= longest)) {
    const s = span(data.eval, scored, length);
    if (!s) continue;
    yield { type: 'context', length, cut: trainer.evaluate({ ...s, window: CONTEXT }).perplexity };
  }
  const s = span(data.eval, scored, longest);
  if (s) {
    const p = trainer.attentionProfile({ ...s, distances: DISTANCES });
    yield { type: 'profile', length: longest, distances: p.distances, share: p.share };
  }
}
