#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// The reference measurement of the attention playground's cost figure: time and WebAssembly memory
// of pe.attention against the length, plain vs streaming (web/site/lib/attention-cost.js, the same
// code the reader's browser runs in its workers), on this machine with Node, each path in a fresh
// process (a fresh instance, so that its heap is that path's alone). Writes
// web/site/data/attention-cost.json, which the site draws faintly until the reader's device has
// measured. Run after scripts/build.sh:
//
//   node scripts/attention-cost.mjs [--budget-ms 1000] [--out FILE]
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const budgetMs = Number(arg('--budget-ms', 1000));

if (arg('--path', null)) {
  // One path in this process: print its reports as JSON lines.
  const { init } = await import(join(ROOT, 'web/package/index.js'));
  const { measurePath } = await import(join(ROOT, 'web/site/lib/attention-cost.js'));
  const pe = await init();
  for (const report of measurePath(pe, arg('--path'), { budgetMs })) process.stdout.write(`${JSON.stringify(report)}\n`);
} else {
  const { COST_PATHS, COST_SETTINGS } = await import(join(ROOT, 'web/site/lib/attention-cost.js'));
  const { version } = await import(join(ROOT, 'web/package/index.js'));
  const points = [];
  const stops = {};
  for (const path of COST_PATHS) {
    const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--path', path, '--budget-ms', String(budgetMs)], { encoding: 'utf8' });
    for (const line of out.trim().split('\n')) {
      const r = JSON.parse(line);
      if (r.type === 'point') points.push({ path, length: r.length, ms: Number(r.ms.toFixed(3)), runs: r.runs, heapBytes: r.heapBytes });
      else stops[path] = { length: r.length, reason: r.reason };
    }
  }
  const json = {
    generatedBy: `node scripts/attention-cost.mjs --budget-ms ${budgetMs}`,
    date: new Date().toISOString(),
    machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, node: process.version, loadAverage: loadavg().map((x) => Number(x.toFixed(2))) },
    posenc: version,
    settings: COST_SETTINGS,
    budgetMs,
    points,
    stops,
  };
  const file = arg('--out', join(ROOT, 'web/site/data/attention-cost.json'));
  writeFileSync(file, `${JSON.stringify(json, null, 1)}\n`);
  for (const p of points) console.log(`${p.path.padEnd(9)} L ${String(p.length).padStart(5)}  ${p.ms.toFixed(2).padStart(9)} ms  heap ${(p.heapBytes / 2 ** 20).toFixed(1)} MiB`);
  console.log(`wrote ${file}`);
}
