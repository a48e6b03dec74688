// SPDX-License-Identifier: MIT
// Benchmark: training tokens per second of the tiny language model (issue 6): posenc's WebAssembly
// SIMD and baseline builds (pe.lm), the same model in TensorFlow.js on its wasm backend, and the
// native build (build/native/examples/cpp/extrapolation), one thread each.
//
//   node bench/lm.mjs [--quick] [--json PATH]
//
// The model: vocabulary 64, pre-LayerNorm blocks (causal attention with ALiBi + GELU MLP), tied
// output layer, context 64, batch 16; d_model 32 (2 layers, 4 heads, MLP 128) and d_model 64
// (MLP 256). One step = forward, backward and an Adam update on 16 x 64 tokens.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

import { init as initPosenc } from '../web/package/index.js';
import { formatTable, machineInfo, parseArgs, writeJson } from './lib/harness.mjs';
import { initTfjsWasm } from './lib/tfjs.mjs';

const NAME = 'lm';
const SIZES = [
  { dModel: 32, layers: 2, heads: 4, mlp: 128 },
  { dModel: 64, layers: 2, heads: 4, mlp: 256 },
];
const CONTEXT = 64, BATCH = 16, VOCAB = 64;
const PYTORCH = { 32: 29000, 64: 9500 };  // tokens/s of a PyTorch CPU single-thread run of this model (issue 6)

function posencRate(pe, size, steps, text) {
  const t = pe.lm.create({ text, position: 'alibi', context: CONTEXT, batch: BATCH, steps: steps + 5, ...size });
  t.train(5);  // warm-up (and V8's optimising tier)
  const t0 = performance.now();
  t.train(steps);
  const ms = performance.now() - t0;
  t.dispose();
  return (steps * BATCH * CONTEXT) / (ms / 1000);
}

/** The same model written with tfjs ops, trained with tf.train.adam through tf.variableGrads. */
function tfjsModel(tf, { dModel: d, layers, heads, mlp }) {
  const dh = d / heads, T = CONTEXT;
  const v = (shape, std) => tf.variable(tf.randomNormal(shape, 0, std));
  const ones = (n) => tf.variable(tf.ones([n])), zeros = (n) => tf.variable(tf.zeros([n]));
  const params = { emb: v([VOCAB, d], 0.02), lnf: [ones(d), zeros(d)], blocks: [] };
  for (let l = 0; l < layers; l++) {
    params.blocks.push({ ln1: [ones(d), zeros(d)], wq: v([d, d], 0.02), wk: v([d, d], 0.02), wv: v([d, d], 0.02),
      wo: v([d, d], 0.02), ln2: [ones(d), zeros(d)], w1: v([d, mlp], 0.02), b1: zeros(mlp), w2: v([mlp, d], 0.02), b2: zeros(d) });
  }
  // ALiBi + causal mask, [heads, T, T], a constant.
  const bias = new Float32Array(heads * T * T);
  for (let h = 0; h < heads; h++) {
    const m = 2 ** (-8 * (h + 1) / heads);
    for (let i = 0; i < T; i++) for (let j = 0; j < T; j++) bias[(h * T + i) * T + j] = j <= i ? -m * (i - j) : -1e9;
  }
  const biasT = tf.tensor3d(bias, [heads, T, T]);
  const layernorm = (x, [g, b]) => {
    const { mean, variance } = tf.moments(x, -1, true);
    return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), g), b);
  };
  const gelu = (x) => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.tanh(tf.mul(tf.add(x, tf.mul(tf.pow(x, 3), 0.044715)), Math.sqrt(2 / Math.PI)))));
  const loss = (inputs, targets) => {
    const B = inputs.shape[0];
    // The embedding lookup as a one-hot product (gather's gradient needs a kernel the wasm backend lacks).
    let x = tf.matMul(tf.cast(tf.oneHot(tf.reshape(inputs, [-1]), VOCAB), 'float32'), params.emb);
    for (const p of params.blocks) {
      const h = layernorm(x, p.ln1);
      const split = (w) => tf.transpose(tf.reshape(tf.matMul(h, w), [B, T, heads, dh]), [0, 2, 1, 3]);
      const q = split(p.wq), k = split(p.wk), vv = split(p.wv);
      const s = tf.add(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(dh)), biasT);
      const o = tf.reshape(tf.transpose(tf.matMul(tf.softmax(s), vv), [0, 2, 1, 3]), [B * T, d]);
      x = tf.add(x, tf.matMul(o, p.wo));
      const u = tf.add(tf.matMul(layernorm(x, p.ln2), p.w1), p.b1);
      x = tf.add(x, tf.add(tf.matMul(gelu(u), p.w2), p.b2));
    }
    const logits = tf.matMul(layernorm(x, params.lnf), params.emb, false, true);
    return tf.losses.softmaxCrossEntropy(tf.oneHot(tf.reshape(targets, [-1]), VOCAB), logits);
  };
  const optimizer = tf.train.adam(1e-3, 0.9, 0.98, 1e-8);
  const step = (inputs, targets) => {
    const cost = optimizer.minimize(() => loss(inputs, targets), true);
    const value = cost.dataSync()[0];
    cost.dispose();
    return value;
  };
  return { step, dispose: () => { biasT.dispose(); tf.disposeVariables(); optimizer.dispose(); } };
}

function tfjsRate(tf, size, steps, text) {
  const model = tfjsModel(tf, size);
  const starts = Array.from({ length: BATCH }, (_, b) => b * 1000);
  const inputs = tf.tensor2d(Int32Array.from({ length: BATCH * CONTEXT }, (_, i) => text[starts[Math.floor(i / CONTEXT)] + (i % CONTEXT)]), [BATCH, CONTEXT], 'int32');
  const targets = tf.tensor2d(Int32Array.from({ length: BATCH * CONTEXT }, (_, i) => text[starts[Math.floor(i / CONTEXT)] + (i % CONTEXT) + 1]), [BATCH, CONTEXT], 'int32');
  for (let i = 0; i < 3; i++) model.step(inputs, targets);
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) model.step(inputs, targets);
  const ms = performance.now() - t0;
  inputs.dispose();
  targets.dispose();
  model.dispose();
  return (steps * BATCH * CONTEXT) / (ms / 1000);
}

function nativeRate(size, steps) {
  const exe = fileURLToPath(new URL('../build/native/examples/cpp/extrapolation', import.meta.url));
  if (!existsSync(exe)) return null;
  const json = join(tmpdir(), `posenc-bench-lm-${process.pid}.json`);
  execFileSync(exe, ['--steps', String(steps), '--batch', String(BATCH), '--context', String(CONTEXT),
    '--d-model', String(size.dModel), '--layers', String(size.layers), '--heads', String(size.heads), '--mlp', String(size.mlp),
    '--methods', 'alibi', '--multiples', '1', '--eval-tokens', '64', '--finetune', '0', '--quiet', '--json', json], { encoding: 'utf8' });
  const row = JSON.parse(readFileSync(json, 'utf8')).rows.find((r) => r.method === 'alibi');
  rmSync(json, { force: true });
  return row ? row.tokens_per_second : null;
}

async function main() {
  const here = fileURLToPath(new URL('.', import.meta.url));
  const args = parseArgs(process.argv.slice(2), { name: NAME, defaultJson: `${here}results/${NAME}.json` });
  const steps = args.quick ? 5 : 60;
  const pe = await initPosenc({ simd: true });
  const pb = await initPosenc({ simd: false });
  const { tf, info } = await initTfjsWasm();
  // tfjs-core's bundle does not register gradient functions; the umbrella package does (on the same
  // tfjs-core instance).
  createRequire(import.meta.url)('@tensorflow/tfjs');
  const text = pe.corpus.generate({ seed: 1, stream: 'train', length: 200000 });
  const machine = machineInfo();
  process.stdout.write(`posenc ${pe.version} language-model training benchmark (${args.mode} run)\n` +
    `node ${machine.node}, ${machine.cpuModel} x${machine.logicalCpus}; tfjs ${info.versionCore} (${info.wasmBinary}, 1 thread)\n` +
    `training tokens per second, one thread, batch ${BATCH} x context ${CONTEXT}, ALiBi, ${steps} steps after warm-up\n`);
  const rows = [];
  for (const size of SIZES) {
    const r = {
      model: `d ${size.dModel}, ${size.layers} layers, ${size.heads} heads, mlp ${size.mlp}`,
      native: nativeRate(size, steps * 2),
      simd: posencRate(pe, size, steps, text),
      base: posencRate(pb, size, Math.max(3, steps / 4), text),
      tfjs: tfjsRate(tf, size, Math.max(3, steps / 4), text),
      pytorch: PYTORCH[size.dModel],
    };
    r.simdVsNative = r.native ? r.native / r.simd : null;
    r.simdVsTfjs = r.simd / r.tfjs;
    r.nativeVsPytorch = r.native ? r.native / r.pytorch : null;
    rows.push(r);
  }
  const k = (x) => (x == null ? '-' : x >= 1000 ? `${(x / 1000).toFixed(1)}k` : x.toFixed(0));
  const x = (v) => (v == null ? '-' : `${v.toFixed(2)}x`);
  process.stdout.write(formatTable([
    { key: 'model', title: 'model', align: 'left' },
    { key: 'native', title: 'native', format: k },
    { key: 'simd', title: 'wasm SIMD', format: k },
    { key: 'base', title: 'wasm baseline', format: k },
    { key: 'tfjs', title: 'tfjs wasm', format: k },
    { key: 'pytorch', title: 'PyTorch (issue)', format: k },
    { key: 'nativeVsPytorch', title: 'native/PyTorch', format: x },
    { key: 'simdVsNative', title: 'native/wasm', format: x },
    { key: 'simdVsTfjs', title: 'wasm/tfjs', format: x },
  ], rows) + '\n');
  const file = writeJson(args.json, { benchmark: NAME, mode: args.mode, machine, tfjs: info, batch: BATCH, context: CONTEXT, steps, rows });
  process.stdout.write(`wrote ${file}\n`);
}

main().catch((e) => {
  process.stderr.write(`${e?.stack ?? e}\n`);
  process.exit(1);
});
