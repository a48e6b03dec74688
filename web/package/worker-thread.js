// SPDX-License-Identifier: MIT
// The module Web Worker of posenc/worker (worker.js): serves calls from the page.
import { serve } from './lib/worker-serve.js';

serve((message, transfer) => self.postMessage(message, transfer), (handle) => self.addEventListener('message', (event) => handle(event.data)));
