// SPDX-License-Identifier: MIT
// Benchmark: what the long-context study costs next to the evaluation it accompanies (issue 12).
// For one trained model at the study's settings (context 64, d_model 32, 2 layers, 4 heads), per
// window of each length: pe.lm's evaluate() (full attention), evaluate({ window: 64 }) (the
// attention cut to the last 64 keys) and attentionProfile() (the same forward pass, its attention
// weights read back), on the WebAssembly SIMD build, interleaved in one process.
//
//   node bench/lm-context.mjs [--quick] [--json PATH]
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

import { init } from '../web/package/index.js';
import { fmt, formatTable, machineInfo, parseArgs, writeJson } from './lib/harness.mjs';

const NAME = 'lm-context';
const CONTEXT = 64;
const LENGTHS = [64, 128, 256, 512, 1024];

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

async function main() {
  const here = fileURLToPath(new URL('.', import.meta.url));
  const args = parseArgs(process.argv.slice(2), { name: NAME, defaultJson: `${here}results/${NAME}.json` });
  const rounds = args.quick ? 2 : 9;
  const pe = await init({ simd: true });
  const evalIds = pe.corpus.generate({ seed: 1, stream: 'eval', length: 2 * LENGTHS.at(-1) + 1 });
  const machine = machineInfo();
  process.stdout.write(`posenc ${pe.version}: cost of the long-context study per evaluation window (${args.mode} run)\n` +
    `node ${machine.node}, ${machine.cpuModel} x${machine.logicalCpus}; ALiBi model, context ${CONTEXT}, d 32, 2 layers, 4 heads; ` +
    `median of ${rounds} interleaved rounds\n`);
  const trainer = pe.lm.create({ corpus: { seed: 1, length: 100000 }, position: 'alibi', context: CONTEXT, batch: 8, steps: 20 });
  trainer.train(20);
  const rows = [];
  for (const length of LENGTHS) {
    const tokens = evalIds.subarray(0, length + 1);
    const calls = {
      full: () => trainer.evaluate({ tokens, length, maxScored: length }),
      cut: () => trainer.evaluate({ tokens, length, maxScored: length, window: CONTEXT }),
      profile: () => trainer.attentionProfile({ tokens, length, maxScored: length }),
    };
    const times = { full: [], cut: [], profile: [] };
    for (const f of Object.values(calls)) f();  // warm-up
    for (let r = 0; r < rounds; r++) {
      for (const [key, f] of Object.entries(calls)) {
        const t0 = performance.now();
        f();
        times[key].push(performance.now() - t0);
      }
    }
    const m = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
    rows.push({ length, fullMs: m.full, cutMs: m.cut, profileMs: m.profile, cutVsFull: m.cut / m.full,
      profileVsFull: m.profile / m.full, samples: times });
  }
  // The demo site's default evaluation (8192 tokens scored at each length) and the study beside it:
  // the cut at every length past the context over the same tokens, and the profile at 16L.
  const scored = 8192;
  const site = pe.corpus.generate({ seed: 1, stream: 'eval', length: scored + LENGTHS.at(-1) + 1 });
  const totals = { full: 0, cut: 0, profile: 0 };
  for (let r = 0; r < Math.max(1, rounds >> 2); r++) {
    for (const length of LENGTHS) {
      let t0 = performance.now();
      trainer.evaluate({ tokens: site, length, maxScored: scored });
      totals.full += performance.now() - t0;
      if (length > CONTEXT) {
        t0 = performance.now();
        trainer.evaluate({ tokens: site, length, maxScored: scored, window: CONTEXT });
        totals.cut += performance.now() - t0;
      }
    }
    const t0 = performance.now();
    trainer.attentionProfile({ tokens: site, length: LENGTHS.at(-1), maxScored: scored });
    totals.profile += performance.now() - t0;
  }
  trainer.dispose();
  process.stdout.write(`at the site's default (${scored} tokens scored per length, lengths ${LENGTHS.join(', ')}): ` +
    `evaluation ${totals.full.toFixed(0)} ms, cut at every length > ${CONTEXT} ${totals.cut.toFixed(0)} ms ` +
    `(${(100 * totals.cut / totals.full).toFixed(0)}%), profile at ${LENGTHS.at(-1)} ${totals.profile.toFixed(0)} ms ` +
    `(${(100 * totals.profile / totals.full).toFixed(0)}%) (sums over ${Math.max(1, rounds >> 2)} rounds)\n`);
  process.stdout.write(formatTable([
    { key: 'length', title: 'length' },
    { key: 'fullMs', title: 'full ms', format: fmt.ms },
    { key: 'cutMs', title: `cut (window ${CONTEXT}) ms`, format: fmt.ms },
    { key: 'profileMs', title: 'profile ms', format: fmt.ms },
    { key: 'cutVsFull', title: 'cut / full', format: fmt.ratio },
    { key: 'profileVsFull', title: 'profile / full', format: fmt.ratio },
  ], rows) + '\n');
  writeJson(args.json, { name: NAME, machine, version: pe.version, settings: { context: CONTEXT, rounds, scored }, rows, siteTotalsMs: totals });
}

await main();
