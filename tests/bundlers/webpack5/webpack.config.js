// SPDX-License-Identifier: MIT
// A plain webpack 5 production build: posenc needs no setting (webpack copies the .wasm files that
// `new URL('...wasm', import.meta.url)` names, and the worker that main.js starts the same way).
import { fileURLToPath } from 'node:url';

export default {
  mode: 'production',
  entry: './main.js',
  output: { path: fileURLToPath(new URL('./dist/', import.meta.url)), filename: 'main.js' },
};
