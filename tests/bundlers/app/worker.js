// SPDX-License-Identifier: MIT
// posenc in a Web Worker: the same results, posted to the page.
import { init } from 'posenc';
import { results } from './report.js';

results((simd) => init({ simd })).then((value) => postMessage(value), (e) => postMessage({ error: String(e.message) }));
