#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// The reference run of the train-short-test-long widget (web/site/widgets/extrapolation.js): the
// native command examples/cpp/extrapolation at exactly the widget's default settings, written to
// web/site/data/reference-run.json, which the widget draws (faintly) until the reader's own run
// replaces it. Nothing in that file is typed in: run this script after changing the defaults or the
// model, and tests/browser/extrapolation.test.mjs runs the command again and compares.
//
//   node scripts/reference-run.mjs [--binary build/native/examples/cpp/extrapolation] [--check]
//
// Build the command first: cmake -S . -B build/native -DCMAKE_BUILD_TYPE=Release &&
// cmake --build build/native -j2 --target extrapolation. --check compares instead of writing.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const REFERENCE_FILE = join(ROOT, 'web/site/data/reference-run.json');
export const DEFAULT_BINARY = join(ROOT, 'build/native/examples/cpp/extrapolation');

/** The widget's defaults as the native command's arguments (the schema in extrapolation.js). */
export const REFERENCE_ARGS = ['--steps', '400', '--eval-tokens', '8192', '--seed', '1',
  '--methods', 'sinusoidal,rope,alibi,learned', '--finetune', '0', '--window', '0'];

const round = (x, digits) => (x === null ? null : Number(x.toFixed(digits)));

/** The native command's row names, as the widget's row keys. */
const KEYS = {
  sinusoidal: 'sinusoidal', rope: 'rope', alibi: 'alibi', t5: 't5', kerple: 'kerple', none: 'nope', learned: 'learned',
  'rope + PI at eval, no fine-tune': 'pi', 'rope + NTK-aware at eval, no fine-tune': 'ntk',
  'rope + YaRN at eval, no fine-tune': 'yarn',
};

/**
 * Run the native command at the reference settings; its --json output, with the widget's row keys,
 * the command line and the machine's timings (which vary from run to run) kept apart from the numbers.
 */
export function referenceRun(binary = DEFAULT_BINARY) {
  const dir = mkdtempSync(join(tmpdir(), 'posenc-reference-'));
  try {
    const file = join(dir, 'run.json');
    execFileSync(binary, [...REFERENCE_ARGS, '--quiet', '--json', file], { stdio: ['ignore', 'ignore', 'inherit'] });
    const raw = JSON.parse(readFileSync(file, 'utf8'));
    const rows = raw.rows.map((r) => {
      const key = KEYS[r.method];
      if (!key) throw new Error(`reference-run: unknown row "${r.method}"`);
      // Perplexity as the command prints it (6 decimals); the loss, only drawn, every 40 steps to 2
      // decimals (a smaller file).
      return { key, perplexity: r.perplexity, loss: r.loss.filter((_, i) => i % 2 === 1).map((l) => round(l, 2)) };
    });
    const timing = Object.fromEntries(raw.rows.filter((r) => r.train_seconds > 0).map((r) => [KEYS[r.method], r.train_seconds]));
    const { rows: _, ...settings } = raw;
    return {
      command: `build/native/examples/cpp/extrapolation ${REFERENCE_ARGS.join(' ')} --json run.json`,
      ...settings, scored: Number(REFERENCE_ARGS[REFERENCE_ARGS.indexOf('--eval-tokens') + 1]), lossEvery: 40, rows,
      trainSeconds: timing,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const at = args.indexOf('--binary');
  const binary = at >= 0 ? resolve(args[at + 1]) : DEFAULT_BINARY;
  const run = referenceRun(binary);
  if (args.includes('--check')) {
    const kept = JSON.parse(readFileSync(REFERENCE_FILE, 'utf8'));
    const same = JSON.stringify(kept.rows) === JSON.stringify(run.rows);
    console.log(same ? 'reference-run: the committed file equals this run' : 'reference-run: the committed file differs from this run');
    process.exit(same ? 0 : 1);
  }
  writeFileSync(REFERENCE_FILE, `${JSON.stringify(run, null, 1)}\n`);
  console.log(`wrote ${relative(ROOT, REFERENCE_FILE)} (${run.rows.length} rows; training ${Object.values(run.trainSeconds).map((s) => s.toFixed(1)).join(' + ')} s)`);
}
