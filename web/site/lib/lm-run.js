// SPDX-License-Identifier: MIT
// One method of the train-short-test-long comparison (widgets/extrapolation.js) as a generator of
// small units of work, so that the same code runs in a Web Worker (widgets/lm-worker.js, which posts
// every report) and on the main thread in time slices (the one-file bundle, which has no worker
// file): each next() does one chunk of training steps or one evaluation window and yields a report
// ({ type, ... }) or null. Everything numeric is pe.lm's; the settings and the data follow the
// native command examples/cpp/extrapolation.cpp, so a run here reproduces its table.

export const CONTEXT = 64;
export const BATCH = 8;
export const MULTIPLES = [1, 2, 4, 8, 16];
export const LENGTHS = MULTIPLES.map((m) => m * CONTEXT);
/** Position interpolation after a fine-tune: factor 4, trained at 4L (Chen et al. 2023). */
export const PI_FACTOR = 4;
/**
 * RoPE scalings applied at evaluation only (no training), factor = length / CONTEXT, as the native
 * command evaluates them: row key -> pe.lm evaluate({ rope: { type } }).
 */
export const SCALINGS = { pi: 'linear', ntk: 'ntk', yarn: 'yarn' };
/** Training progress is reported every REPORT steps, with the mean loss of those steps. */
export const REPORT = 20;

/** Fine-tune steps for a run of `steps` training steps (200 as in the native command, fewer for tiny runs). */
export const finetuneSteps = (steps) => Math.min(200, steps);

/**
 * The generated corpus of a run, as the native command uses it: the evaluation ids here; no `train`,
 * so runMethod has pe.lm.create make the training stream (seed, 2M+ ids) inside the module.
 */
export function corpusData(pe, { seed, scored }) {
  const longest = LENGTHS.at(-1);
  return { eval: pe.corpus.generate({ seed, stream: 'eval', length: Math.max(scored, longest) + longest + 1 }) };
}

/** A reader's text as token ids, split 90/10 into training and evaluation ids. */
export function splitText(ids) {
  const cut = Math.floor((ids.length * 9) / 10);
  return { train: ids.subarray(0, cut), eval: ids.subarray(cut) };
}

/**
 * Perplexity of one row at every length: non-overlapping windows of `length` tokens, up to
 * `scored` tokens in all (as pe.lm's evaluate({ maxScored }) counts them), one window per unit.
 */
function* evaluateRow(trainer, { data, scored, position }, row, rope) {
  for (const length of LENGTHS) {
    const windows = Math.min(Math.max(1, Math.floor(scored / length)), Math.floor((data.eval.length - 1) / length));
    if (windows < 1) {
      yield { type: 'cell', row, length, note: 'short' };
      continue;
    }
    let nll = 0;
    let count = 0;
    try {
      for (let w = 0; w < windows; w++) {
        const tokens = data.eval.subarray(w * length, w * length + length + 1);
        const r = trainer.evaluate({ tokens, length, maxScored: length, rope: rope(length) });
        nll += Math.log(r.perplexity) * r.scored;
        count += r.scored;
        if (w + 1 < windows) yield null;
      }
    } catch (e) {
      // A learned table has no row past its length: the package says so with a RangeError.
      if (position === 'learned' && length > CONTEXT && e instanceof RangeError) {
        yield { type: 'cell', row, length, note: 'cannot', message: e.message };
        continue;
      }
      throw e;
    }
    yield { type: 'cell', row, length, perplexity: Math.exp(nll / count), scored: count };
  }
}

/**
 * Train one method and evaluate it. job: { method, position, steps, seed, scored, scalings, pift, data, context?, batch? }
 * (scalings: keys of SCALINGS to evaluate the RoPE model with)
 * (data: { train?, eval } token ids; without train, the generated corpus of `seed`); chunk: training steps per unit. Reports:
 *   { type: 'start', parameters }  { type: 'progress', phase: 'train' | 'finetune', done, total, loss } (the mean
 *   loss of the last REPORT training steps, whatever the chunk)
 *   { type: 'trained', seconds, tokensPerSecond, loss, stepBytes }  { type: 'cell', row, length, perplexity, scored }
 *   { type: 'cell', row, length, note: 'cannot' | 'short', message? }  { type: 'done' }
 * `extra(trainer, job)`, a generator of more reports (lib/lm-context.js), runs after the evaluation
 * and before the PI fine-tune (on the model as trained).
 * The trainer is disposed however the generator ends (finished, thrown, or return()ed on cancel).
 */
export function* runMethod(pe, job, { chunk = 20, extra = null } = {}) {
  // context / batch: the equal-compute model trains at 2L with half the batch (the same tokens).
  const { method, position, steps, seed, data, context = CONTEXT, batch = BATCH } = job;
  const source = data.train ? { text: data.train } : { corpus: { seed } };
  const trainer = pe.lm.create({ ...source, position, steps, seed, dataSeed: seed + 1000,
    context, batch, t5MaxDistance: CONTEXT });
  try {
    yield { type: 'start', parameters: trainer.parameterCount };
    const t0 = performance.now();
    let loss = NaN;
    let sum = 0;
    let count = 0;
    for (let done = 0; done < steps;) {
      const n = Math.min(chunk, steps - done, REPORT - (done % REPORT));
      const r = trainer.train(n);
      done = r.done;
      sum += r.loss * n;
      count += n;
      if (done % REPORT === 0 || done === steps) {
        loss = sum / count;
        sum = 0;
        count = 0;
        yield { type: 'progress', phase: 'train', done, total: steps, loss };
      } else {
        yield null;
      }
    }
    const seconds = (performance.now() - t0) / 1000;
    yield { type: 'trained', seconds, tokensPerSecond: (steps * batch * context) / seconds, loss, stepBytes: trainer.memory.stepBytes };
    yield* evaluateRow(trainer, job, method, () => undefined);
    for (const row of position === 'rope' ? job.scalings ?? [] : []) {
      const type = SCALINGS[row];
      yield* evaluateRow(trainer, job, row, (length) => (length > CONTEXT ? { type, factor: length / CONTEXT } : undefined));
    }
    if (extra) yield* extra(trainer, job);  // before the fine-tune: the model as trained
    if (position === 'rope' && job.pift) {
      const total = finetuneSteps(steps);
      const rope = { type: 'linear', factor: PI_FACTOR };
      for (let done = 0; done < total;) {
        const n = Math.min(Math.max(1, Math.floor(chunk / 4)), total - done);
        const r = trainer.finetune({ context: PI_FACTOR * CONTEXT, rope, steps: n });
        done += n;
        yield { type: 'progress', phase: 'finetune', done, total, loss: r.loss };
      }
      yield* evaluateRow(trainer, job, 'pift', () => rope);
    }
    yield { type: 'done' };
  } finally {
    trainer.dispose();
  }
}
