// SPDX-License-Identifier: MIT
// Print a few rows of a sinusoidal position table, as a user of the package would.
//   npm install posenc      (in this repository: npm install --no-save ../../build/pack/posenc-*.tgz)
//   node print-table.mjs [length] [dim] [vaswani|fairseq]
import { init } from 'posenc';

const [length = 4, dim = 8] = process.argv.slice(2, 4).map(Number);
const layout = process.argv[4] ?? 'vaswani';

const pe = await init();
let table;
try {
  table = pe.sinusoidal({ length, dim, layout });
} catch (e) {
  console.error(e.message);  // e.g. "posenc.sinusoidal: dim must be an integer >= 1, got 0"
  process.exit(2);
}
console.log(`sinusoidal ${layout} table, ${length} x ${dim} (${pe.simd ? 'SIMD' : 'baseline'} build, ${pe.arch})`);
for (let p = 0; p < Math.min(length, 6); p++) {
  const row = Array.from(table.subarray(p * dim, p * dim + Math.min(dim, 8)), (x) => x.toFixed(6).padStart(9));
  console.log(`pos ${String(p).padStart(4)}: ${row.join(' ')}${dim > 8 ? ' ...' : ''}`);
}
