// SPDX-License-Identifier: MIT
// Benchmark harness shared by the workloads in bench/: command line, machine description, an
// interleaved timing loop (warm-up, rounds, time budget), statistics, accuracy against a float64
// reference, table printing and JSON output. Nothing here knows about a particular workload.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';

import { randomArray, summarize, timeInterleaved } from './timing.mjs';

export { randomArray, summarize, timeInterleaved };

/** Outputs whose max abs error against the float64 reference exceeds this are flagged loudly. */
export const ERROR_LIMIT = 1e-3;

/** Timing settings of a full run and of a `--quick` smoke run. */
export const SETTINGS = {
  full: { warmupRounds: 5, minRounds: 30, maxRounds: 400, budgetMs: 22000 },
  quick: { warmupRounds: 2, minRounds: 6, maxRounds: 6, budgetMs: 2000 },
};

/**
 * Parse `--quick`, `--json PATH` (or `--json=PATH`) and `--help`. `defaultJson` is used when no
 * --json is given; a relative --json PATH is taken relative to the current directory.
 */
export function parseArgs(argv, { name, defaultJson }) {
  const out = { quick: false, json: defaultJson };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') out.quick = true;
    else if (a === '--json') {
      if (i + 1 >= argv.length) usage(name, `--json needs a path`);
      out.json = path.resolve(argv[++i]);
    } else if (a.startsWith('--json=')) out.json = path.resolve(a.slice('--json='.length));
    else if (a === '--help' || a === '-h') usage(name);
    else usage(name, `unknown argument ${JSON.stringify(a)}`);
  }
  out.mode = out.quick ? 'quick' : 'full';
  out.settings = { ...SETTINGS[out.mode] };
  return out;
}

function usage(name, error) {
  const text = `usage: node bench/${name}.mjs [--quick] [--json PATH]\n` +
    `  --quick      fast smoke run (few repetitions; numbers are not meaningful)\n` +
    `  --json PATH  where to write the results (default bench/results/${name}.json)\n`;
  if (error) {
    process.stderr.write(`${name}: ${error}\n${text}`);
    process.exit(2);
  }
  process.stdout.write(text);
  process.exit(0);
}

/** Node, OS and CPU description for the JSON output. */
export function machineInfo() {
  const cpus = os.cpus();
  return {
    node: process.version,
    v8: process.versions.v8,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    platform: process.platform,
    arch: process.arch,
    cpuModel: cpus.length ? cpus[0].model.trim() : 'unknown',
    logicalCpus: cpus.length,
    totalMemoryGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
    // 1/5/15-minute load averages at the start: other processes on the machine make timings noisy.
    loadAverage: os.loadavg().map((x) => +x.toFixed(2)),
    date: new Date().toISOString(),
  };
}

/**
 * A full garbage collection function, or null. Used between samples (outside the timed region) so
 * that one contender's garbage is not collected during the next contender's sample.
 */
export function gcFunction() {
  if (typeof globalThis.gc === 'function') return globalThis.gc;
  try {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc');
    return typeof gc === 'function' ? gc : null;
  } catch {
    return null;
  }
}

/**
 * Max abs difference between `actual` (any array-like of numbers, e.g. a Float32Array) and the
 * float64 `expected`, computed in double. NaN anywhere gives NaN; a length mismatch gives Infinity.
 */
export function maxAbsError(actual, expected) {
  if (!actual || actual.length !== expected.length) return Infinity;
  let max = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = Math.abs(actual[i] - expected[i]);
    if (!(e <= max)) max = e;  // also catches NaN, which then sticks
  }
  return max;
}

/** Index and values of the worst element, to make an accuracy warning actionable. */
export function worstElement(actual, expected) {
  let worst = -1;
  let max = -1;
  const n = Math.min(actual.length, expected.length);
  for (let i = 0; i < n; i++) {
    const e = Math.abs(actual[i] - expected[i]);
    if (!(e <= max)) { max = e; worst = i; if (Number.isNaN(e)) break; }
  }
  return worst < 0 ? null : { index: worst, actual: actual[worst], expected: expected[worst] };
}

/** Print a loud, multi-line warning to stderr and return its text (to record in the JSON). */
export function warn(text) {
  const bar = '!'.repeat(78);
  process.stderr.write(`\n${bar}\n!! WARNING: ${text}\n${bar}\n\n`);
  return text;
}

/**
 * Format rows as an aligned text table. `columns`: [{ key, title, align: 'left'|'right',
 * format(value, row) }]; rows are objects.
 */
export function formatTable(columns, rows) {
  const cells = rows.map((r) => columns.map((c) => (c.format ? c.format(r[c.key], r) : String(r[c.key] ?? ''))));
  const widths = columns.map((c, j) => Math.max(c.title.length, ...cells.map((row) => row[j].length)));
  const pad = (s, j) => (columns[j].align === 'left' ? s.padEnd(widths[j]) : s.padStart(widths[j]));
  const line = (parts) => parts.map(pad).join('  ').trimEnd();
  return [
    line(columns.map((c) => c.title)),
    line(widths.map((w) => '-'.repeat(w))),
    ...cells.map(line),
  ].join('\n');
}

/** Number formatting helpers for tables. */
export const fmt = {
  ms: (x) => (x == null || !Number.isFinite(x) ? '-' : x < 10 ? x.toFixed(3) : x < 100 ? x.toFixed(2) : x.toFixed(1)),
  rate: (x) => (x == null || !Number.isFinite(x) ? '-' : x < 100 ? x.toFixed(1) : x.toFixed(0)),
  err: (x) => (x == null ? '-' : Number.isNaN(x) ? 'NaN' : x === Infinity ? 'mismatch' : x.toExponential(1)),
  ratio: (x) => (x == null || !Number.isFinite(x) ? '-' : `${x < 10 ? x.toFixed(2) : x.toFixed(1)}x`),
};

/** Write `data` as pretty JSON, creating the folder. Returns the path. */
export function writeJson(file, data) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(data, null, 2) + '\n');
  return file;
}

/**
 * Run one case (one workload at one shape): set every contender up, check its output against the
 * float64 `reference` (warning loudly above ERROR_LIMIT), time all contenders interleaved, tear
 * them down, print the table and return the results for the JSON file.
 *
 * contenders: [{ id, label, note?, setup: async () => ({ run, output?, teardown? }) }]
 *   run()       one timed operation;
 *   output()    the values to check (default: run()); e.g. a "kernel only" contender whose run()
 *               returns nothing reads its result back here;
 *   teardown()  frees resident inputs; may return a warning text (e.g. leaked tensors).
 * values: number of output values of one operation (for Mvalues/s).
 * relativeTo: id of the contender the "vs" column divides by (plain JS);
 * speedupOf: id of the contender whose speed-up over each row is shown (posenc SIMD).
 */
export async function runCase({ title, values, reference, contenders, settings, gc = null, relativeTo, speedupOf, labels }) {
  const warnings = [];
  const prepared = [];
  for (const c of contenders) {
    const inst = await c.setup();
    const out = await (inst.output ?? inst.run)();
    const err = maxAbsError(out, reference);
    if (!(err <= ERROR_LIMIT)) {
      const w = worstElement(out ?? [], reference);
      const where = out && out.length === reference.length
        ? ` (worst at flat index ${w?.index}: got ${w?.actual}, float64 reference ${w?.expected})`
        : ` (output length ${out?.length} != ${reference.length})`;
      const what = err === Infinity ? 'has the wrong output length' : `differs from the float64 reference by ${fmt.err(err)} > ${ERROR_LIMIT}`;
      warnings.push(warn(`${title}: ${c.label} ${what}${where}. Layout or formula mismatch? Its timing is not comparable.`));
    }
    prepared.push({ ...c, ...inst, maxAbsError: err });
  }

  const { rounds, samples } = await timeInterleaved(prepared.map((p) => ({ id: p.id, run: p.run })), { ...settings, gc });

  for (const p of prepared) {
    const w = p.teardown ? await p.teardown() : null;
    if (w) warnings.push(warn(`${title}: ${p.label}: ${w}`));
  }

  const results = prepared.map((p) => {
    const s = summarize(samples[p.id]);
    return {
      id: p.id,
      label: p.label,
      ...(p.note ? { note: p.note } : {}),
      ...s,
      mvaluesPerSec: values / (s.medianMs * 1e3),
      maxAbsError: Number.isFinite(p.maxAbsError) ? p.maxAbsError : String(p.maxAbsError),
      accuracyOk: p.maxAbsError <= ERROR_LIMIT,
      samplesMs: samples[p.id].map((x) => +x.toFixed(4)),
    };
  });
  const byId = Object.fromEntries(results.map((r) => [r.id, r]));
  for (const r of results) {
    r.speedVsRelative = byId[relativeTo] ? byId[relativeTo].medianMs / r.medianMs : null;
    r.speedupOfFocus = byId[speedupOf] ? r.medianMs / byId[speedupOf].medianMs : null;
  }

  const columns = [
    { key: 'label', title: 'contender', align: 'left' },
    { key: 'medianMs', title: 'median ms', format: fmt.ms },
    { key: 'minMs', title: 'min ms', format: fmt.ms },
    { key: 'mvaluesPerSec', title: 'Mvalues/s', format: fmt.rate },
    { key: 'maxAbsError', title: 'max abs err', format: (x, r) => fmt.err(typeof x === 'string' ? Number(x) : x) + (r.accuracyOk ? '' : ' !!') },
    { key: 'speedVsRelative', title: labels?.relative ?? `speed vs ${relativeTo}`, format: fmt.ratio },
    { key: 'speedupOfFocus', title: labels?.speedup ?? `${speedupOf} speed-up`, format: fmt.ratio },
  ];
  process.stdout.write(`\n${title}  (${values.toLocaleString('en-US')} values, ${rounds} timed rounds)\n`);
  process.stdout.write(formatTable(columns, results) + '\n');
  for (const w of warnings) process.stdout.write(`  WARNING: ${w}\n`);

  return { title, values, rounds, results, warnings };
}
