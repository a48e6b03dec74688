// SPDX-License-Identifier: MIT
// The Web Worker of the train-short-test-long widget (extrapolation.js): a module worker, one per
// method. It loads posenc by the same relative path as the site, receives one job
// ({ method, position, steps, seed, scored, scalings, pift, text? }: text holds the reader's training and
// evaluation ids, else the generated corpus is made here), trains in chunks of 20 steps, evaluates,
// posts every report of lib/lm-run.js and closes. The page terminates it on Cancel.
import { init } from '../../package/index.js';
import { corpusData, runMethod } from '../lib/lm-run.js';

addEventListener('message', async ({ data: job }) => {
  try {
    const pe = await init();
    const data = job.text ?? corpusData(pe, job);
    for (const report of runMethod(pe, { ...job, data }, { chunk: 20 })) {
      if (report) postMessage(report);
    }
  } catch (e) {
    postMessage({ type: 'error', message: e instanceof Error ? e.message : String(e) });
  }
  close();
}, { once: true });
