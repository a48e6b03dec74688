// SPDX-License-Identifier: MIT
// The one-file build (.wasm inlined): what esbuild and Rollup build without any setting.
import { init } from 'posenc/inline';
import { results, show } from './report.js';

show('inline', results((simd) => init({ simd })));
