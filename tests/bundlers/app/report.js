// SPDX-License-Identifier: MIT
// Shared by every consumer app: load both builds through `load(simd)`, compute a small sinusoidal
// table with each, and write the rows that tests/bundlers/run.mjs checks to <html data-NAME="...">.

/** Row 3 of an 8-wide sinusoidal table from the SIMD-if-supported build ('auto') and the baseline. */
export async function results(load) {
  const out = {};
  for (const simd of ['auto', false]) {
    const pe = await load(simd);
    out[simd === false ? 'base' : 'auto'] = { simd: pe.simd, row: Array.from(pe.sinusoidal({ length: 4, dim: 8 }).subarray(24, 32)) };
  }
  return out;
}

/** Write what `promise` resolves to (or its error message) to the page, for the runner to read. */
export function show(name, promise) {
  const write = (value) => { document.documentElement.dataset[name] = JSON.stringify(value); };
  promise.then(write, (e) => write({ error: String((e && e.message) || e) }));
}
