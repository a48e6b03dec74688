// SPDX-License-Identifier: MIT
// Rollup does not copy files named by `new URL(..., import.meta.url)`: use the one-file build.
import { init } from 'posenc/inline';
import { results, show } from './report.js';

show('inline', results((simd) => init({ simd })));
