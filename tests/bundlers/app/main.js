// SPDX-License-Identifier: MIT
// The app that Vite and webpack build: posenc on the page and in a module worker, with no option.
// (inline.js, for esbuild and Rollup, imports the one-file build instead.)
import { init } from 'posenc';
import { results, show } from './report.js';

show('main', results((simd) => init({ simd })));

const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
show('worker', new Promise((resolve) => {
  worker.onmessage = (e) => resolve(e.data);
  worker.onerror = (e) => resolve({ error: e.message || 'the worker failed to start' });
}));
