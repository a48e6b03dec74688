// SPDX-License-Identifier: MIT
// esbuild does not follow `new URL('...wasm', import.meta.url)`: import the two .wasm files with
// --loader:.wasm=file (esbuild copies them and gives their URLs) and hand them to init().
import { init } from 'posenc';
import simd from 'posenc/dist/posenc_simd.wasm';
import base from 'posenc/dist/posenc_base.wasm';
import { results, show } from './report.js';

show('main', results((s) => init(s === false ? { simd: false, wasm: base } : { simd: s, wasm: { simd, base } })));
