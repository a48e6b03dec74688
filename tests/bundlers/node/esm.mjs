// SPDX-License-Identifier: MIT
// Node, ES module: the package and its one-file build, by name. Prints what the runner checks.
import { init } from 'posenc';
import { init as initInline } from 'posenc/inline';
import { results } from './report.js';

const out = { main: await results((simd) => init({ simd })), inline: await results((simd) => initInline({ simd })) };
out.handlers = process.listenerCount('uncaughtException') + process.listenerCount('unhandledRejection');
console.log(JSON.stringify(out));
