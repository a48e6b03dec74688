// SPDX-License-Identifier: MIT
// The Web Worker of the attention playground's cost figure: a module worker with its own posenc
// instance (so that its heap size is this path's alone), which measures one path of pe.attention
// ({ path, budgetMs }) at growing lengths, posts every report of lib/attention-cost.js and closes.
import { init } from '../../package/index.js';
import { measurePath } from '../lib/attention-cost.js';

addEventListener('message', async ({ data: job }) => {
  try {
    const pe = await init();
    for (const report of measurePath(pe, job.path, { budgetMs: job.budgetMs })) postMessage(report);
  } catch (e) {
    postMessage({ type: 'stop', path: job.path, reason: 'error', message: e instanceof Error ? e.message : String(e) });
  }
  close();
}, { once: true });
