// SPDX-License-Identifier: MIT
// Benchmark: attention through posenc/worker's pool (initWorker({ threads })) at 1, 2 and the
// machine's core count, in one process, interleaved:
//
//   W2  causal attention with ALiBi, seq 1024, 8 heads, head dim 64 (the plain path)
//   W4  causal attention with ALiBi, seq 16384, 8 heads, head dim 64 (the streaming path)
//   LM  training tokens/s of the study's language model, data-parallel over the batch (8 and 16),
//       with the workers synchronised through shared memory and through messages
//
//   node bench/parallel.mjs [--quick] [--only W2,W4,LM] [--json PATH]   (default bench/results/parallel.json)
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
async function runWorkload({ workload, title, shape, pools, singles, pe, settings, gc }) {
  const n = shape.seq * shape.heads * shape.dim;
  const options = { q: randomArray(n, 31), k: randomArray(n, 32), v: randomArray(n, 33), shape: [shape.seq, shape.heads, shape.dim],
    position: 'alibi', causal: true };
  const warnings = [];
  const reference = (await pools[0].attention(options)).output;
  for (const pw of pools.slice(1)) {
    if (!sameBits((await pw.attention(options)).output, reference)) warnings.push(warn(`${workload}: threads ${pw.threads} differs from threads 1`));
  }
  const contenders = pools.map((pw) => ({ id: `threads-${pw.threads}${pw.sharedMemory ? '' : '-copies'}`,
    label: `pool, threads ${pw.threads}${pw.sharedMemory ? '' : ', copies (no shared memory)'}`, run: () => pw.attention(options) }));
  if (pe) contenders.push({ id: 'main', label: 'pe.attention on the main thread (no worker)', run: () => pe.attention(options) });
  // The ceiling: as many whole calls as cores at once, each on its own one-worker pool (no split,
  // no synchronisation); its speed-up counts every call's work.
  if (singles?.length > 1) {
    contenders.push({ id: 'independent', label: `ceiling: ${singles.length} whole calls at once, one per worker`,
      run: () => Promise.all(singles.map((pw) => pw.attention(options))) });
  }
  const { rounds, samples } = await timeInterleaved(contenders, { ...settings, gc });
  const results = contenders.map((c) => ({ id: c.id, label: c.label, ...summarize(samples[c.id]), samples: samples[c.id] }));
  const one = results.find((r) => r.id === 'threads-1').medianMs;
  for (const r of results) r.speedupOverThreads1 = (r.id === 'independent' ? singles.length : 1) * one / r.medianMs;
  process.stdout.write(`\n${title} (${rounds} timed rounds)\n${formatTable([
    { key: 'label', title: 'contender', align: 'left' },
    { key: 'medianMs', title: 'median ms', format: fmt.ms },
    { key: 'minMs', title: 'min ms', format: fmt.ms },
    { key: 'speedupOverThreads1', title: 'speed-up over threads 1', format: fmt.ratio },
  ], results)}\n`);
  return { workload, ...shape, position: 'alibi', causal: true, rounds, bitIdentical: warnings.length === 0, results, warnings };
}

/**
 * LM training: the study's model (lib/lm.js defaults: d 32, 2 layers, 4 heads, context 64, ALiBi)
 * at `batch`, one trainer per pool, data-parallel over the batch's sequences. One timed call is
 * trainer.train(STEPS); tokens/s = STEPS * batch * 64 / time. Before timing, every pool's trainer is
 * checked against threads 1 (the same losses after the warm-up steps, and the same evaluation).
 */
async function runTraining({ batch, dModel, pools, singles, settings, gc, quick }) {
  const STEPS = quick ? 5 : 20;
  const mlp = 4 * dModel;
  const options = { corpus: { seed: 1, length: 400_000 }, position: 'alibi', batch, dModel, mlp, steps: 1e6 };
  const trainers = await Promise.all(pools.map((pw) => pw.lm.create(options)));
  const warnings = [];
  const warm = await Promise.all(trainers.map((t) => t.train(10)));
  for (const [i, w] of warm.entries()) {
    if (w.loss !== warm[0].loss) warnings.push(warn(`LM d ${dModel} batch ${batch}: threads ${pools[i].threads} loss ${w.loss} differs from threads 1 (${warm[0].loss})`));
  }
  const tokens = batch * 64 * STEPS;
  const name = (pw) => `threads-${pw.threads}${pw.threads > 1 && !pw.sharedMemory ? '-messages' : ''}`;
  const contenders = trainers.map((t, i) => ({ id: name(pools[i]),
    label: `pool, threads ${pools[i].threads}${pools[i].threads > 1 ? (pools[i].sharedMemory ? ', shared memory' : ', messages') : ''}`,
    run: () => t.train(STEPS) }));
  // The ceiling of data parallelism here: as many independent trainers as cores, each in its own
  // one-worker pool, training at once with no synchronisation (the time is for all of them; the
  // tokens/s counts all of their tokens).
  const independent = await Promise.all(singles.map((pw) => pw.lm.create(options)));
  await Promise.all(independent.map((t) => t.train(2)));
  contenders.push({ id: 'independent', label: `ceiling: ${singles.length} independent trainers at once (no synchronisation)`,
    run: () => Promise.all(independent.map((t) => t.train(STEPS))) });
  const { rounds, samples } = await timeInterleaved(contenders, { ...settings, gc });
  const results = contenders.map((c) => ({ id: c.id, label: c.label, ...summarize(samples[c.id]), samples: samples[c.id] }));
  for (const r of results) r.tokensPerSecond = (r.id === 'independent' ? singles.length : 1) * tokens / (r.medianMs / 1000);
  const one = results.find((r) => r.id === 'threads-1').tokensPerSecond;
  for (const r of results) r.speedupOverThreads1 = r.tokensPerSecond / one;
  // Still the same models after every timed step.
  const after = await Promise.all(trainers.map((t) => t.train(1)));
  for (const [i, a] of after.entries()) {
    if (a.loss !== after[0].loss || a.done !== after[0].done) warnings.push(warn(`LM d ${dModel} batch ${batch}: threads ${pools[i].threads} diverged from threads 1 after timing`));
  }
  await Promise.all([...trainers, ...independent].map((t) => t.dispose()));
  process.stdout.write(`\nLM training, batch ${batch} x context 64 (d ${dModel}, 2 layers, 4 heads, mlp ${mlp}, ALiBi), ${STEPS} steps per call (${rounds} timed rounds)\n${formatTable([
    { key: 'label', title: 'contender', align: 'left' },
    { key: 'medianMs', title: 'median ms', format: fmt.ms },
    { key: 'tokensPerSecond', title: 'tokens/s', format: (x) => `${(x / 1000).toFixed(1)}k` },
    { key: 'speedupOverThreads1', title: 'tokens/s over threads 1', format: fmt.ratio },
  ], results)}\n`);
  return { workload: `LM-d${dModel}-b${batch}`, batch, dModel, mlp, context: 64, steps: STEPS, rounds, bitIdentical: warnings.length === 0, results, warnings };
}

async function main() {
  const argv = process.argv.slice(2);
  const onlyAt = argv.indexOf('--only');
  const only = new Set(onlyAt >= 0 ? argv.splice(onlyAt, 2)[1]?.split(',') : ['W2', 'W4', 'LM']);
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
    // Without shared memory (as on a page that is not cross-origin isolated): copies of the arrays
    // for attention, one message per step for training.
    const messaging = await Promise.all(counts.filter((n) => n > 1).map((threads) => initWorker({ threads, sharedMemory: false })));
    const singles = await Promise.all(Array.from({ length: cores > 1 ? cores : 0 }, () => initWorker()));
    const splitPools = [...pools, ...messaging];
    pools.push(...messaging, ...singles);
    if (only.has('W2')) cases.push(await runWorkload({ workload: 'W2', title: 'W2 causal attention + ALiBi, seq 1024, 8 heads, head dim 64',
      shape: { seq: 1024, heads: 8, dim: 64 }, pools: splitPools, singles, pe, gc,
      settings: args.quick ? { warmupRounds: 1, minRounds: 3, maxRounds: 3, budgetMs: 0 } : { warmupRounds: 3, minRounds: 20, maxRounds: 200, budgetMs: 20000 } }));
    const seq = args.quick ? 4096 : 16384;
    if (only.has('W4')) cases.push(await runWorkload({ workload: 'W4', title: `W4 causal attention + ALiBi, seq ${seq}, 8 heads, head dim 64 (streaming)`,
      shape: { seq, heads: 8, dim: 64 }, pools: splitPools, singles, pe: null, gc,
      settings: args.quick ? { warmupRounds: 0, minRounds: 1, maxRounds: 1, budgetMs: 0 } : { warmupRounds: 1, minRounds: 3, maxRounds: 3, budgetMs: 0 } }));
    for (const [dModel, batch] of only.has('LM') ? [[32, 8], [32, 16], [64, 16]] : []) {
      cases.push(await runTraining({ batch, dModel, pools: splitPools, singles: singles.length ? singles : [pools[0]], gc, quick: args.quick,
        settings: args.quick ? { warmupRounds: 1, minRounds: 3, maxRounds: 3, budgetMs: 0 } : { warmupRounds: 2, minRounds: 15, maxRounds: 100, budgetMs: 15000 } }));
    }
  } finally {
    for (const pw of pools) pw.terminate();
  }
  const summary = Object.fromEntries(cases.map((c) => [c.workload,
    Object.fromEntries(c.results.filter((r) => r.id !== 'main').map((r) => [r.id,
      { medianMs: r.medianMs, speedup: r.speedupOverThreads1, ...(r.tokensPerSecond ? { tokensPerSecond: Math.round(r.tokensPerSecond) } : {}) }]))]));
  const file = writeJson(args.json, { benchmark: NAME, mode: args.mode, machine, loadAverageAtEnd: os.loadavg().map((x) => +x.toFixed(2)),
    version: pe.version, simd: pe.simd, threads: counts, summary, cases, warnings: cases.flatMap((c) => c.warnings) });
  process.stdout.write(`\nwrote ${file}\n`);
  if (args.quick) process.stdout.write('(--quick: few repetitions and W4 at 4096, the numbers are only a smoke test)\n');
}

main().catch((e) => {
  process.stderr.write(`${e?.stack ?? e}\n`);
  process.exit(1);
});
