// SPDX-License-Identifier: MIT
// posenc/worker under Node (the exports map's "node" condition): the same asynchronous library as
// worker.js, in a worker_threads Worker. The worker does not keep the process alive while no call
// is pending; terminate() ends it.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { connect, transfer } from './lib/worker-client.js';

export { transfer };

/** Start a worker thread, load posenc in it (options as init()) and resolve to the asynchronous library. */
export function initWorker(options) {
  return connect('posenc.initWorker', options, (onMessage, onError) => {
    const worker = new Worker(new URL('./worker-thread-node.js', import.meta.url));
    worker.on('message', onMessage);
    worker.on('error', (e) => onError(new Error(`posenc.initWorker: the worker failed: ${e?.message ?? e}`)));
    worker.on('messageerror', () => onError(new Error('posenc.worker: a message from the worker could not be read')));
    return {
      post: (message, transfers) => worker.postMessage(message, transfers),
      terminate: () => { void worker.terminate(); },
      ref: () => worker.ref(),
      unref: () => worker.unref(),
    };
  }, availableParallelism());
}
