// SPDX-License-Identifier: MIT
// posenc/worker: the same library, run in a module Web Worker so long calls (attention over long
// sequences, lm training) never block the page.
//
//   import { initWorker, transfer } from 'posenc/worker';
//   const pw = await initWorker();                       // the worker loads posenc
//   const { output } = await pw.attention({ q, k, v, shape: [1024, 8, 64], position: 'alibi' });
//   const rotated = await pw.rope.apply(transfer(q), { shape, frequencies });  // q moved, not copied
//   const controller = new AbortController();
//   pw.withSignal(controller.signal).attention({ ... });  // controller.abort() cancels it
//   pw.terminate();
//
// The worker is created with `new Worker(new URL('./worker-thread.js', import.meta.url), { type:
// 'module' })`, the form Vite and webpack 5 recognise and bundle. Under Node the package's exports
// map resolves posenc/worker to worker-node.js (worker_threads) instead.
import { connect, transfer } from './lib/worker-client.js';

export { transfer };

/** Start a worker, load posenc in it (options as init()) and resolve to the asynchronous library. */
export function initWorker(options) {
  return connect('posenc.initWorker', options, (onMessage, onError) => {
    const worker = new Worker(new URL('./worker-thread.js', import.meta.url), { type: 'module' });
    worker.addEventListener('message', (event) => onMessage(event.data));
    worker.addEventListener('error', (event) => {
      event.preventDefault();
      onError(new Error(`posenc.initWorker: the worker failed: ${event.message || 'worker-thread.js did not load'}`));
    });
    worker.addEventListener('messageerror', () => onError(new Error('posenc.worker: a message from the worker could not be read')));
    return {
      post: (message, transfers) => worker.postMessage(message, transfers),
      terminate: () => worker.terminate(),
    };
  }, globalThis.navigator?.hardwareConcurrency);
}
