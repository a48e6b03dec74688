// SPDX-License-Identifier: MIT
// Benchmark: attention through posenc/worker's pool (initWorker({ threads })) at 1, 2 and the
// machine's core count, in one process, interleaved:
//
//   W2  causal attention with ALiBi, seq 1024, 8 heads, head dim 64 (the plain path)
//   W4  causal attention with ALiBi, seq 16384, 8 heads, head dim 64 (the streaming path)
//
//   node bench/parallel.mjs [--quick] [--only W2,W4] [--json PATH]   (default bench/results/parallel.json)
//
// One timed call is what a user awaits: q, k and v posted to every worker (copied), each worker's
// block of queries, the blocks' outputs moved back and put together. The speed-up of n threads is
// the median time of threads 1 over the median time of threads n. W2 also times pe.attention on the
// main thread (no worker) to show what the worker itself costs. Before timing, every pool's output
// is compared bit for bit with threads 1.
import os from 'node:os';
import { fileURLToPath } from 'node:url';

import { init } from '../web/package/index.js';
import { initWorker } from '../web/package/worker-node.js';
import { fmt, formatTable, gcFunction, machineInfo, parseArgs, randomArray, summarize, timeInterleaved, warn, writeJson } from './lib/harness.mjs';

const NAME = 'parallel';

const sameBits = (a, b) => a.length === b.length
  && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

/** One workload: check the pools against threads 1, time them interleaved, print, return the record. */
async function runWorkload({ workload, title, shape, pools, pe, settings, gc }) {
  const n = shape.seq * shape.heads * shape.dim;
  const options = { q: randomArray(n, 31), k: randomArray(n, 32), v: randomArray(n, 33), shape: [shape.seq, shape.heads, shape.dim],
    position: 'alibi', causal: true };
  const warnings = [];
  const reference = (await pools[0].attention(options)).output;
  for (const pw of pools.slice(1)) {
    if (!sameBits((await pw.attention(options)).output, reference)) warnings.push(warn(`${workload}: threads ${pw.threads} differs from threads 1`));
  }
  const contenders = pools.map((pw) => ({ id: `threads-${pw.threads}`, label: `pool, threads ${pw.threads}`, run: () => pw.attention(options) }));
  if (pe) contenders.push({ id: 'main', label: 'pe.attention on the main thread (no worker)', run: () => pe.attention(options) });
  const { rounds, samples } = await timeInterleaved(contenders, { ...settings, gc });
  const results = contenders.map((c) => ({ id: c.id, label: c.label, ...summarize(samples[c.id]), samples: samples[c.id] }));
  const one = results.find((r) => r.id === 'threads-1').medianMs;
  for (const r of results) r.speedupOverThreads1 = one / r.medianMs;
  process.stdout.write(`\n${title} (${rounds} timed rounds)\n${formatTable([
    { key: 'label', title: 'contender', align: 'left' },
    { key: 'medianMs', title: 'median ms', format: fmt.ms },
    { key: 'minMs', title: 'min ms', format: fmt.ms },
    { key: 'speedupOverThreads1', title: 'speed-up over threads 1', format: fmt.ratio },
  ], results)}\n`);
  return { workload, ...shape, position: 'alibi', causal: true, rounds, bitIdentical: warnings.length === 0, results, warnings };
}

async function main() {
  const argv = process.argv.slice(2);
  const onlyAt = argv.indexOf('--only');
  const only = new Set(onlyAt >= 0 ? argv.splice(onlyAt, 2)[1]?.split(',') : ['W2', 'W4']);
  const args = parseArgs(argv, { name: NAME, defaultJson: fileURLToPath(new URL(`./results/${NAME}.json`, import.meta.url)) });
  const cores = os.cpus().length;
  const counts = [...new Set([1, 2, cores])];
  const machine = machineInfo();
  const gc = gcFunction();
  const pe = await init();
  const pools = await Promise.all(counts.map((threads) => initWorker({ threads })));
  process.stdout.write(`posenc ${pe.version}, ${cores} logical CPUs (load average ${machine.loadAverage.join(' ')}), threads ${counts.join(', ')}\n`);
  const cases = [];
  try {
    if (only.has('W2')) cases.push(await runWorkload({ workload: 'W2', title: 'W2 causal attention + ALiBi, seq 1024, 8 heads, head dim 64',
      shape: { seq: 1024, heads: 8, dim: 64 }, pools, pe, gc,
      settings: args.quick ? { warmupRounds: 1, minRounds: 3, maxRounds: 3, budgetMs: 0 } : { warmupRounds: 3, minRounds: 20, maxRounds: 200, budgetMs: 20000 } }));
    const seq = args.quick ? 4096 : 16384;
    if (only.has('W4')) cases.push(await runWorkload({ workload: 'W4', title: `W4 causal attention + ALiBi, seq ${seq}, 8 heads, head dim 64 (streaming)`,
      shape: { seq, heads: 8, dim: 64 }, pools, pe: null, gc,
      settings: args.quick ? { warmupRounds: 0, minRounds: 1, maxRounds: 1, budgetMs: 0 } : { warmupRounds: 1, minRounds: 3, maxRounds: 3, budgetMs: 0 } }));
  } finally {
    for (const pw of pools) pw.terminate();
  }
  const summary = Object.fromEntries(cases.map((c) => [c.workload,
    Object.fromEntries(c.results.filter((r) => r.id.startsWith('threads-')).map((r) => [r.id, { medianMs: r.medianMs, speedup: r.speedupOverThreads1 }]))]));
  const file = writeJson(args.json, { benchmark: NAME, mode: args.mode, machine, loadAverageAtEnd: os.loadavg().map((x) => +x.toFixed(2)),
    version: pe.version, simd: pe.simd, threads: counts, summary, cases, warnings: cases.flatMap((c) => c.warnings) });
  process.stdout.write(`\nwrote ${file}\n`);
  if (args.quick) process.stdout.write('(--quick: few repetitions and W4 at 4096, the numbers are only a smoke test)\n');
}

main().catch((e) => {
  process.stderr.write(`${e?.stack ?? e}\n`);
  process.exit(1);
});
