// SPDX-License-Identifier: MIT
// Rollup with node-resolve (to find `posenc/inline` in node_modules), nothing else.
import { nodeResolve } from '@rollup/plugin-node-resolve';

export default {
  input: 'inline.js',
  output: { dir: 'dist', format: 'es' },
  plugins: [nodeResolve()],
};
