// SPDX-License-Identifier: MIT
// The other way, with no setting at all: the one-file build, .wasm inlined.
import { init } from 'posenc/inline';
import { results, show } from './report.js';

show('inline', results((simd) => init({ simd })));
