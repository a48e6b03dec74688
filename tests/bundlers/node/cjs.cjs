// SPDX-License-Identifier: MIT
// Node, CommonJS: the package through import(). Prints what the runner checks.
(async () => {
  const { init } = await import('posenc');
  const { results } = await import('./report.js');
  console.log(JSON.stringify({ main: await results((simd) => init({ simd })) }));
})();
