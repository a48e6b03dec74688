// SPDX-License-Identifier: MIT
// The Web Worker of the train-short-test-long widget (extrapolation.js): a module worker, one per
// method. It loads posenc by the same relative path as the site, receives one job
// ({ method, position, steps, seed, scored, scalings, pift, text? }: text holds the reader's training and
// evaluation ids, else the generated corpus is made here), trains in chunks of 20 steps, evaluates,
// measures how much the model uses the long context (lib/lm-context.js), posts every report and
// closes. The page terminates it on Cancel.
import { init } from '../../package/index.js';
import { contextUse } from '../lib/lm-context.js';
import { corpusData, runMethod } from '../lib/lm-run.js';

addEventListener('message', async ({ data: job }) => {
  try {
    const pe = await init();
    const data = job.text ?? corpusData(pe, job);
    for (const report of runMethod(pe, { ...job, data }, { chunk: 20, extra: contextUse })) {
      if (report) postMessage(report);
    }
  } catch (e) {
    postMessage({ type: 'error', message: e instanceof Error ? e.message : String(e) });
  }
  close();
}, { once: true });
