// SPDX-License-Identifier: MIT
// Benchmark: the sinusoidal position table (vaswani layout, base 10000) computed by posenc (SIMD
// and baseline builds), by a plain JavaScript loop and by TensorFlow.js on its wasm backend.
//
//   node bench/sinusoidal.mjs [--quick] [--json PATH]
//
// See bench/README.md for what is and is not measured.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

import { init as initPosenc } from '../web/package/index.js';
import { gcFunction, machineInfo, parseArgs, runCase, warn, writeJson, ERROR_LIMIT } from './lib/harness.mjs';
import { initTfjsWasm } from './lib/tfjs.mjs';

const NAME = 'sinusoidal';
const SHAPES = [
  { length: 8192, dim: 128 },
  { length: 2048, dim: 1024 },
];
const BASE = 10000;
const LAYOUT = 'vaswani';

// ---------------------------------------------------------------------------------------------
// The formula (vaswani): w_i = exp(2i * -(ln(base)/d)), PE[p,2i] = sin(p w_i), PE[p,2i+1] = cos(p w_i).

/** The frequencies in float64, exactly as posenc forms them. */
function frequencies(dim, base) {
  const k = -(Math.log(base) / dim);
  const w = new Float64Array(Math.ceil(dim / 2));
  for (let i = 0; i < w.length; i++) w[i] = Math.exp(2 * i * k);
  return w;
}

/** The float64 reference table: Math.sin/Math.cos in double on the float64 frequencies. */
function referenceTable(length, dim, base) {
  const w = frequencies(dim, base);
  const out = new Float64Array(length * dim);
  for (let p = 0; p < length; p++) {
    const row = p * dim;
    for (let c = 0; c < dim; c++) {
      const a = p * w[c >> 1];
      out[row + c] = c & 1 ? Math.cos(a) : Math.sin(a);
    }
  }
  return out;
}

/**
 * Plain JavaScript, as a JS developer would write it: frequencies once per call, then one
 * Math.sin and one Math.cos per (position, frequency) pair, stored into a Float32Array.
 */
function plainJsTable(length, dim, base) {
  const out = new Float32Array(length * dim);
  const half = dim >> 1;
  const k = -(Math.log(base) / dim);
  const w = new Float64Array(half + 1);
  for (let i = 0; i <= half; i++) w[i] = Math.exp(2 * i * k);
  for (let p = 0, row = 0; p < length; p++, row += dim) {
    for (let i = 0; i < half; i++) {
      const a = p * w[i];
      out[row + 2 * i] = Math.sin(a);
      out[row + 2 * i + 1] = Math.cos(a);
    }
    if (dim & 1) out[row + dim - 1] = Math.sin(p * w[half]);  // odd d: last sine has no cosine
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Contenders. Each is a factory (shape) -> { id, label, setup } for harness.runCase; setup() runs
// outside the timed region (resident inputs, instantiated modules).

function posencContender(id, label, pe) {
  return ({ length, dim }) => ({
    id,
    label,
    setup: async () => ({ run: () => pe.sinusoidal({ length, dim, base: BASE, layout: LAYOUT }) }),
  });
}

function plainJsContender() {
  return ({ length, dim }) => ({
    id: 'js',
    label: 'plain JS (Math.sin/cos)',
    setup: async () => ({ run: () => plainJsTable(length, dim, BASE) }),
  });
}

/**
 * tfjs on the wasm backend. angles = positions [L,1] * invFreq [1,h] (float32, resident); sin and
 * cos; stack on a new leading axis [2,L,h]; transpose to [L,h,2] (interleaves sin/cos); reshape
 * [L,d]. Stacking directly on the last axis gives the same values but is ~2.5-3.5x slower on
 * this backend (its Concat kernel copies one element at a time in JS when the inner size is 1).
 * `readBack`: true times the ops plus dataSync() into a JS Float32Array (comparable with posenc,
 * whose result is a JS array); false times the ops only ("kernel only"; the result stays in the
 * wasm heap and is disposed).
 */
function tfjsContender(tfjs, readBack) {
  const { tf } = tfjs;
  return ({ length, dim }) => ({
    id: readBack ? 'tfjs' : 'tfjs-kernel',
    label: readBack ? 'tfjs wasm (ops + dataSync)' : 'tfjs wasm, kernel only (no read-back)',
    ...(readBack ? {} : { note: 'ops only, result left in the wasm heap: not comparable with rows that return a JS array' }),
    setup: async () => {
      if (dim % 2 !== 0) throw new Error('tfjs contender: dim must be even');
      const half = dim / 2;
      const positions = tf.tidy(() => tf.reshape(tf.range(0, length, 1, 'float32'), [length, 1]));
      const invFreq = tf.tensor2d(Float32Array.from(frequencies(dim, BASE).subarray(0, half)), [1, half], 'float32');
      const table = () => {
        const angles = tf.mul(positions, invFreq);
        const s = tf.sin(angles);
        const c = tf.cos(angles);
        const stacked = tf.stack([s, c], 0);                // [2, L, h]
        const pairs = tf.transpose(stacked, [1, 2, 0]);     // [L, h, 2]
        const out = tf.reshape(pairs, [length, dim]);       // [L, d]
        angles.dispose(); s.dispose(); c.dispose(); stacked.dispose(); pairs.dispose();
        return out;
      };
      const withReadBack = () => {
        const t = table();
        const values = t.dataSync();  // a copy out of the wasm heap into a JS Float32Array
        t.dispose();
        return values;
      };
      return {
        run: readBack ? withReadBack : () => { table().dispose(); },
        output: withReadBack,
        teardown: () => { positions.dispose(); invFreq.dispose(); },
      };
    },
  });
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const here = fileURLToPath(new URL('.', import.meta.url));
  const args = parseArgs(process.argv.slice(2), { name: NAME, defaultJson: `${here}results/${NAME}.json` });
  const gc = gcFunction();
  const warnings = [];

  // Instantiation and first-call costs are paid here, outside every timed region.
  const pe = await initPosenc({ simd: true });
  const pb = await initPosenc({ simd: false });
  if (!pe.simd) warnings.push(warn(`posenc init({ simd: true }) did not give the SIMD build (arch ${pe.arch})`));
  if (pb.simd) warnings.push(warn(`posenc init({ simd: false }) gave a SIMD build (arch ${pb.arch})`));
  const tfjs = await initTfjsWasm();
  if (!tfjs.info.simd) warnings.push(warn(`tfjs is not using its SIMD binary (loaded ${tfjs.info.wasmBinary})`));
  const posencPackage = JSON.parse(fs.readFileSync(new URL('../web/package/package.json', import.meta.url), 'utf8'));

  const machine = machineInfo();
  process.stdout.write(
    `posenc ${pe.version} sinusoidal benchmark (${args.mode} run)\n` +
    `node ${machine.node}, ${machine.os}, ${machine.cpuModel} x${machine.logicalCpus}, load average ${machine.loadAverage.join(' ')}\n` +
    `posenc: SIMD build arch=${pe.arch}, baseline build arch=${pb.arch}\n` +
    `tfjs-core ${tfjs.info.versionCore}, tfjs-backend-wasm ${tfjs.info.versionBackendWasm}: backend=${tfjs.info.backend}, ` +
    `binary=${tfjs.info.wasmBinary}, WASM_HAS_SIMD_SUPPORT=${tfjs.info.simdSupportFlag}, threads=${tfjs.info.threadsCount}\n` +
    `layout ${LAYOUT}, base ${BASE}; timings in ms per call (median and min over interleaved rounds); ` +
    `GC between samples: ${gc ? 'yes' : 'no'}\n` +
    `max abs err: against float64 Math.sin/Math.cos on float64 frequencies (warning above ${ERROR_LIMIT})\n` +
    `"vs plain JS" = plain JS median / row median (>1: faster than plain JS); ` +
    `"posenc SIMD speed-up" = row median / posenc SIMD median\n`);

  const factories = [
    posencContender('posenc-simd', 'posenc SIMD', pe),
    posencContender('posenc-base', 'posenc baseline (no SIMD)', pb),
    plainJsContender(),
    tfjsContender(tfjs, true),
    tfjsContender(tfjs, false),
  ];

  const cases = [];
  for (const shape of SHAPES) {
    const reference = referenceTable(shape.length, shape.dim, BASE);
    const tensorsBefore = tfjs.tf.memory().numTensors;
    const result = await runCase({
      title: `sinusoidal ${shape.length} x ${shape.dim}`,
      values: shape.length * shape.dim,
      reference,
      contenders: factories.map((f) => f(shape)),
      settings: args.settings,
      gc,
      relativeTo: 'js',
      speedupOf: 'posenc-simd',
      labels: { relative: 'vs plain JS', speedup: 'posenc SIMD speed-up' },
    });
    const leaked = tfjs.tf.memory().numTensors - tensorsBefore;
    if (leaked !== 0) result.warnings.push(warn(`${result.title}: tfjs: ${leaked} tensor(s) leaked by the tfjs contenders`));
    cases.push({ ...shape, base: BASE, layout: LAYOUT, ...result });
  }

  const file = writeJson(args.json, {
    benchmark: NAME,
    mode: args.mode,
    machine,
    versions: {
      node: machine.node,
      posenc: pe.version,
      posencPackage: posencPackage.version,
      tfjsCore: tfjs.info.versionCore,
      tfjsBackendWasm: tfjs.info.versionBackendWasm,
    },
    posenc: { simdBuild: { simd: pe.simd, arch: pe.arch }, baselineBuild: { simd: pb.simd, arch: pb.arch } },
    tfjs: tfjs.info,
    tfjsUsedSimd: tfjs.info.simd,
    settings: { ...args.settings, gcBetweenSamples: Boolean(gc), errorLimit: ERROR_LIMIT },
    columns: {
      medianMs: 'median wall time of one call, ms',
      minMs: 'fastest call, ms',
      mvaluesPerSec: 'output values per second at the median, millions',
      maxAbsError: 'max |value - float64 reference| over the whole table',
      speedVsRelative: 'plain JS median / this median (>1: faster than plain JS)',
      speedupOfFocus: 'this median / posenc SIMD median (how many times faster posenc SIMD is)',
    },
    cases,
    warnings: [...warnings, ...cases.flatMap((c) => c.warnings)],
  });
  const allWarnings = warnings.length + cases.reduce((n, c) => n + c.warnings.length, 0);
  process.stdout.write(`\nwrote ${file}${allWarnings ? `  (${allWarnings} warning(s), see above)` : ''}\n`);
  if (args.quick) process.stdout.write('(--quick: few repetitions, the numbers are only a smoke test)\n');
}

main().catch((e) => {
  process.stderr.write(`${e?.stack ?? e}\n`);
  process.exit(1);
});
