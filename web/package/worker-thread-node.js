// SPDX-License-Identifier: MIT
// The worker_threads side of posenc/worker under Node (worker-node.js): serves calls from the main thread.
import { parentPort } from 'node:worker_threads';
import { serve } from './lib/worker-serve.js';

serve((message, transfer) => parentPort.postMessage(message, transfer), (handle) => parentPort.on('message', handle));
