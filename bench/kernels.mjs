// SPDX-License-Identifier: MIT
// Benchmark: posenc's hot kernels against plain JavaScript, posenc's baseline build, TensorFlow.js
// (wasm backend) and onnxruntime-web (wasm), with the physical ceilings measured in the same
// process (an f32x4 multiply-add loop and a copy stream, src/posenc/roofline.hpp).
//
//   W1  RoPE apply, x [4096 x 32 x 128] float32 (half layout, theta 10000)
//   W2  causal attention with ALiBi, seq 1024, 8 heads, head dim 64
//   W4  causal attention with ALiBi at seq 16384 (posenc's streaming path; what the peers can do)
// (W3, the cos/sin table, is bench/sinusoidal.mjs.)
//
//   node bench/kernels.mjs [--quick] [--json PATH] [--only W1,W2,W4]
//
// "resident" rows keep their inputs in the library's memory between calls (posenc's heap through
// its raw module: the kernel alone; tfjs tensors; ORT session inputs are copied by session.run as ORT
// always does). "public API" rows go through pe.*: with tensors (pe.tensor, out / in place: what
// users get with resident data), with plain arrays and `out`, or plain arrays in and a new array out.
// Before the workloads, the WebAssembly heap is measured around 64 MiB calls (the memory policy).
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

import { init as initPosenc } from '../web/package/index.js';
import { fmt, formatTable, gcFunction, machineInfo, parseArgs, randomArray, runCase, summarize, warn, writeJson } from './lib/harness.mjs';
import { alibiCausalBias, alibiSlope, attentionReference, headsFirst, seqFirst } from './lib/attention.mjs';
import { attentionModel, initOrt, initializer, model, node, session } from './lib/onnx.mjs';
import { check, heapArray, rawModule, roofline } from './lib/posenc-raw.mjs';
import { initTfjsWasm } from './lib/tfjs.mjs';

const NAME = 'kernels';

// =============================================================================================
// W1: RoPE apply.

const W1 = { seq: 4096, heads: 32, dim: 128, theta: 10000 };

function ropeFrequencies(dim, theta) {
  return Float64Array.from({ length: dim / 2 }, (_, i) => 1 / theta ** ((2 * i) / dim));
}

/** float64 reference: half layout, pairs (i, i + d/2) rotated by p * w_i. */
function ropeReference(x, { seq, heads, dim }, w) {
  const out = new Float64Array(x.length), h = dim / 2;
  for (let p = 0; p < seq; p++) {
    for (let i = 0; i < h; i++) {
      const c = Math.cos(p * w[i]), s = Math.sin(p * w[i]);
      for (let hd = 0; hd < heads; hd++) {
        const o = (p * heads + hd) * dim;
        out[o + i] = x[o + i] * c - x[o + i + h] * s;
        out[o + i + h] = x[o + i] * s + x[o + i + h] * c;
      }
    }
  }
  return out;
}

/**
 * The careful plain-JS loop: cos/sin tables [seq][d/2] precomputed once (float32, outside the timed
 * call), the rotation written into a preallocated output (no allocation per call), half layout.
 */
function ropeTables(seq, dim, w) {
  const h = dim / 2, cos = new Float32Array(seq * h), sin = new Float32Array(seq * h);
  for (let p = 0; p < seq; p++) for (let i = 0; i < h; i++) { cos[p * h + i] = Math.cos(p * w[i]); sin[p * h + i] = Math.sin(p * w[i]); }
  return { cos, sin };
}
function ropeCarefulJs(x, out, { seq, heads, dim }, { cos, sin }) {
  const h = dim / 2;
  for (let p = 0; p < seq; p++) {
    const c0 = p * h;
    for (let hd = 0; hd < heads; hd++) {
      const o = (p * heads + hd) * dim;
      for (let i = 0; i < h; i++) {
        const a = x[o + i], b = x[o + i + h], c = cos[c0 + i], s = sin[c0 + i];
        out[o + i] = a * c - b * s;
        out[o + i + h] = a * s + b * c;
      }
    }
  }
  return out;
}

/** Plain JS as a developer first writes it: cos/sin per position (float64), then rotate every head. */
function ropePlainJs(x, { seq, heads, dim }, w) {
  const out = new Float32Array(x.length), h = dim / 2;
  const c = new Float64Array(h), s = new Float64Array(h);
  for (let p = 0; p < seq; p++) {
    for (let i = 0; i < h; i++) { c[i] = Math.cos(p * w[i]); s[i] = Math.sin(p * w[i]); }
    for (let hd = 0; hd < heads; hd++) {
      const o = (p * heads + hd) * dim;
      for (let i = 0; i < h; i++) {
        const a = x[o + i], b = x[o + i + h];
        out[o + i] = a * c[i] - b * s[i];
        out[o + i + h] = a * s[i] + b * c[i];
      }
    }
  }
  return out;
}

function w1Contenders({ x, w, pe, raw, tfjs, ort }) {
  const { seq, heads, dim } = W1, n = x.length, h = dim / 2;
  const posencResident = (id, label, mod, checked = false) => ({
    id, label,
    note: `x stays in posenc's heap and is rotated in place (the cos/sin cache is computed inside every call)${checked ? '; NaN/infinity check on' : ''}`,
    setup: async () => {
      const buf = heapArray(mod, Float32Array, n), inv = heapArray(mod, Float64Array, h);
      buf.set(x);
      inv.set(w);
      const apply = () => check(mod, mod.ropeApply(buf.address, n, seq, heads, dim, 0, false, 0, inv.address, h, 1, 0, 0, false, false, 0.4, 512, NaN, checked), 'ropeApply');
      return {
        run: apply,
        output: () => { buf.set(x); apply(); return buf.view().slice(); },
        teardown: () => { buf.free(); inv.free(); },
      };
    },
  });
  const f = { invFreq: w, attentionFactor: 1, headDim: dim };
  const list = [
    posencResident('posenc-simd', 'posenc SIMD kernel, resident (raw module)', raw.simd),
    posencResident('posenc-checked', 'posenc SIMD kernel + NaN check, resident (raw module)', raw.simd, true),
    {
      id: 'posenc-tensor', label: 'posenc public API, tensor in place',
      note: 'pe.rope.apply(t, { ..., out: t }) on a pe.tensor: argument checks, the NaN/infinity check fused into the kernel, no copy',
      setup: async () => {
        const t = pe.tensor(x, { shape: [seq, heads, dim] });
        const run = () => pe.rope.apply(t, { shape: [seq, heads, dim], frequencies: f, out: t });
        return { run, output: () => { t.data.set(x); run(); return t.toArray(); }, teardown: () => t.dispose() };
      },
    },
    {
      id: 'posenc-out', label: 'posenc public API, plain arrays + out',
      note: 'pe.rope.apply(x, { ..., out }) with a preallocated Float32Array out: x copied in, rotated, copied into out',
      setup: async () => {
        const out = new Float32Array(n);
        return { run: () => pe.rope.apply(x, { shape: [seq, heads, dim], frequencies: f, out }) };
      },
    },
    { id: 'posenc-pkg', label: 'posenc public API, plain arrays (new array)', setup: async () => ({ run: () => pe.rope.apply(x, { shape: [seq, heads, dim], frequencies: f }) }) },
    posencResident('posenc-base', 'posenc baseline kernel, resident', raw.base),
    {
      id: 'js-tables', label: 'plain JS, careful (cos/sin tables, no allocation)',
      note: 'cos/sin [seq][d/2] float32 tables precomputed outside the timing; output preallocated',
      setup: async () => {
        const tables = ropeTables(seq, dim, w), out = new Float32Array(n);
        return { run: () => ropeCarefulJs(x, out, W1, tables) };
      },
    },
    { id: 'js', label: 'plain JS, naive (cos/sin per call, new array)', setup: async () => ({ run: () => ropePlainJs(x, W1, w) }) },
  ];
  if (tfjs) {
    const { tf } = tfjs;
    list.push({
      id: 'tfjs', label: 'tfjs wasm, resident',
      note: 'x and the cos/sin cache [seq,1,d/2] are resident tensors (the cache is NOT recomputed per call); result disposed',
      setup: async () => {
        const xt = tf.tensor3d(x, [seq, heads, dim]);
        const cs = new Float32Array(seq * h), sn = new Float32Array(seq * h);
        for (let p = 0; p < seq; p++) for (let i = 0; i < h; i++) { cs[p * h + i] = Math.cos(p * w[i]); sn[p * h + i] = Math.sin(p * w[i]); }
        const ct = tf.tensor3d(cs, [seq, 1, h]), st = tf.tensor3d(sn, [seq, 1, h]);
        const op = () => tf.tidy(() => {
          const a = tf.slice(xt, [0, 0, 0], [seq, heads, h]), b = tf.slice(xt, [0, 0, h], [seq, heads, h]);
          return tf.concat([tf.sub(tf.mul(a, ct), tf.mul(b, st)), tf.add(tf.mul(a, st), tf.mul(b, ct))], 2);
        });
        return {
          run: () => { op().dispose(); },
          output: () => { const t = op(); const v = t.dataSync().slice(); t.dispose(); return v; },
          teardown: () => { xt.dispose(); ct.dispose(); st.dispose(); },
        };
      },
    });
  }
  if (ort) {
    list.push({
      id: 'ort', label: 'onnxruntime-web wasm',
      note: 'graph Split/Mul/Sub/Add/Concat; cos/sin cache as initializers; session.run copies x in and the result out',
      setup: async () => {
        const cs = new Float32Array(seq * h), sn = new Float32Array(seq * h);
        for (let p = 0; p < seq; p++) for (let i = 0; i < h; i++) { cs[p * h + i] = Math.cos(p * w[i]); sn[p * h + i] = Math.sin(p * w[i]); }
        const bytes = model({
          nodes: [
            node('Split', ['x', 'split'], ['a', 'b'], { axis: 2 }),
            node('Mul', ['a', 'cos'], ['ac']), node('Mul', ['b', 'sin'], ['bs']), node('Sub', ['ac', 'bs'], ['o1']),
            node('Mul', ['a', 'sin'], ['as']), node('Mul', ['b', 'cos'], ['bc']), node('Add', ['as', 'bc'], ['o2']),
            node('Concat', ['o1', 'o2'], ['y'], { axis: 2 }),
          ],
          initializers: [initializer('split', [2], BigInt64Array.from([BigInt(h), BigInt(h)])),
            initializer('cos', [seq, 1, h], cs), initializer('sin', [seq, 1, h], sn)],
          inputs: [{ name: 'x', shape: [seq, heads, dim] }],
          outputs: [{ name: 'y', shape: [seq, heads, dim] }],
        });
        const s = await session(ort.ort, bytes);
        const input = new ort.ort.Tensor('float32', x, [seq, heads, dim]);
        const run = async () => (await s.run({ x: input })).y.data;
        return { run, output: run, teardown: () => s.release() };
      },
    });
  }
  return list;
}

// =============================================================================================
// W2 / W4: causal attention with ALiBi.

const W2 = { seq: 1024, heads: 8, dim: 64 };

/** Plain JS: the same loops in float32 storage (scores row reused). */
function attentionPlainJs(q, k, v, { seq, heads, dim }) {
  const out = new Float32Array(q.length), scale = 1 / Math.sqrt(dim), z = new Float32Array(seq);
  for (let hd = 0; hd < heads; hd++) {
    const m = alibiSlope(hd, heads);
    for (let i = 0; i < seq; i++) {
      const qo = (i * heads + hd) * dim;
      let max = -Infinity;
      for (let j = 0; j <= i; j++) {
        const ko = (j * heads + hd) * dim;
        let dot = 0;
        for (let d = 0; d < dim; d++) dot += q[qo + d] * k[ko + d];
        const s = scale * dot - m * (i - j);
        z[j] = s;
        if (s > max) max = s;
      }
      let sum = 0;
      for (let j = 0; j <= i; j++) sum += (z[j] = Math.exp(z[j] - max));
      const inv = 1 / sum;
      for (let j = 0; j <= i; j++) {
        const p = z[j] * inv, vo = (j * heads + hd) * dim;
        for (let d = 0; d < dim; d++) out[qo + d] += p * v[vo + d];
      }
    }
  }
  return out;
}

// Settings array of the raw attention binding (bindings/attention.cpp, AttentionSlot).
function attentionSettings({ seq, heads, dim }, streaming) {
  // queries keys heads headDim queryOffset causal scale streaming method(alibi=4) layout af xposGamma
  // xposScaleBase t5Bidirectional t5NumBuckets t5MaxDistance kerpleVariant shawMaxDistance
  return Float64Array.from([seq, seq, heads, dim, 0, 1, NaN, streaming ? 1 : 0, 4, 0, 1, 0.4, 512, 1, 32, 128, 0, 0]);
}

function residentAttention(mod, q, k, v, shape, streaming) {
  const n = q.length;
  const settings = attentionSettings(shape, streaming);
  const bufs = [Float32Array, Float32Array, Float32Array, Float32Array].map((T) => heapArray(mod, T, n));
  const sBuf = heapArray(mod, Float64Array, settings.length);
  sBuf.set(settings);
  bufs[0].set(q); bufs[1].set(k); bufs[2].set(v);
  const [qb, kb, vb, ob] = bufs;
  const run = () => check(mod, mod.attention(sBuf.address, settings.length, qb.address, n, kb.address, n, vb.address, n,
    ob.address, n, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), 'attention');
  return { run, view: () => ob.view(), output: () => { run(); return ob.view().slice(); }, teardown: () => { bufs.forEach((b) => b.free()); sBuf.free(); } };
}

function w2Contenders({ q, k, v, pe, raw, tfjs, ort, shape }) {
  const { seq, heads, dim } = shape, scale = 1 / Math.sqrt(dim);
  const list = [
    { id: 'posenc-simd', label: 'posenc SIMD kernel, resident (raw module)', setup: async () => residentAttention(raw.simd, q, k, v, shape, false) },
    {
      id: 'posenc-tensor', label: 'posenc public API, tensors',
      note: 'q, k, v as pe.tensor, output into a tensor (out)',
      setup: async () => {
        const [qt, kt, vt, ot] = [q, k, v, new Float32Array(q.length)].map((a) => pe.tensor(a));
        const run = () => pe.attention({ q: qt, k: kt, v: vt, shape: [seq, heads, dim], position: 'alibi', causal: true, streaming: false, out: ot });
        return { run, output: () => { run(); return ot.toArray(); }, teardown: () => [qt, kt, vt, ot].forEach((t) => t.dispose()) };
      },
    },
    { id: 'posenc-pkg', label: 'posenc public API, plain arrays (copies)', setup: async () => ({ run: () => pe.attention({ q, k, v, shape: [seq, heads, dim], position: 'alibi', causal: true }).output }) },
    { id: 'posenc-base', label: 'posenc baseline kernel, resident', setup: async () => residentAttention(raw.base, q, k, v, shape, false) },
    { id: 'js', label: 'plain JS', setup: async () => ({ run: () => attentionPlainJs(q, k, v, shape) }) },
  ];
  if (tfjs) {
    const { tf } = tfjs;
    list.push({
      id: 'tfjs', label: 'tfjs wasm, resident',
      note: 'matMul + mul + add(bias, resident [h,L,L] with the causal mask) + softmax + matMul; result disposed',
      setup: async () => {
        const qt = tf.tensor3d(headsFirst(q, shape), [heads, seq, dim]), kt = tf.tensor3d(headsFirst(k, shape), [heads, seq, dim]);
        const vt = tf.tensor3d(headsFirst(v, shape), [heads, seq, dim]), bt = tf.tensor3d(alibiCausalBias(shape), [heads, seq, seq]);
        const op = () => tf.tidy(() => tf.matMul(tf.softmax(tf.add(tf.mul(tf.matMul(qt, kt, false, true), scale), bt)), vt));
        return {
          run: () => { op().dispose(); },
          output: () => { const t = op(); const out = seqFirst(t.dataSync(), shape); t.dispose(); return out; },
          teardown: () => { [qt, kt, vt, bt].forEach((t) => t.dispose()); },
        };
      },
    });
  }
  if (ort) {
    list.push({
      id: 'ort', label: 'onnxruntime-web wasm',
      note: 'MatMul + Mul + Add(bias initializer with the causal mask) + Softmax + MatMul; session.run copies q, k, v in and the result out',
      setup: async () => {
        const bytes = attentionModel(shape, alibiCausalBias(shape));
        const s = await session(ort.ort, bytes);
        const T = (x) => new ort.ort.Tensor('float32', headsFirst(x, shape), [heads, seq, dim]);
        const feeds = { q: T(q), k: T(k), v: T(v) };
        const run = async () => (await s.run(feeds)).o.data;
        return { run, output: async () => seqFirst(await run(), shape), teardown: () => s.release() };
      },
    });
  }
  return list;
}

const attentionFlops = ({ seq, heads, dim }) => 4 * heads * (seq * (seq + 1) / 2) * dim;  // causal: QK^T and PV

/** W4: long causal attention. Few rounds; accuracy checked on a sample of query rows. */
async function runW4({ pe, raw, tfjs, ort, quick, gc }) {
  const shape = { seq: quick ? 4096 : 16384, heads: 8, dim: 64 };
  const n = shape.seq * shape.heads * shape.dim;
  const q = randomArray(n, 21), k = randomArray(n, 22), v = randomArray(n, 23);
  const rows = [0, 1, shape.seq / 2, shape.seq - 2, shape.seq - 1];
  const ref = attentionReference(q, k, v, shape, rows);
  const sampleError = (out) => {
    let e = 0;
    for (const i of rows) for (let c = 0; c < shape.heads * shape.dim; c++) e = Math.max(e, Math.abs(out[i * shape.heads * shape.dim + c] - ref[i * shape.heads * shape.dim + c]));
    return e;
  };
  const rounds = quick ? 1 : 3;
  const results = [];
  const time = async (id, label, fn) => {
    const samples = [];
    let out = null, error = null;
    try {
      for (let r = 0; r < rounds + 1; r++) {
        if (gc) gc();
        const t0 = performance.now();
        out = await fn();
        if (r > 0) samples.push(performance.now() - t0);  // the first call warms up
      }
    } catch (e) {
      error = String(e?.message ?? e).split('\n')[0].slice(0, 200);
    }
    const s = samples.length ? summarize(samples) : null;
    results.push({ id, label, ...(s ?? {}), gflops: s ? attentionFlops(shape) / (s.medianMs * 1e6) : null,
      maxAbsErrorSampledRows: out && !error ? sampleError(out) : null, error });
  };
  const resident = residentAttention(raw.simd, q, k, v, shape, true);
  await time('posenc-simd', 'posenc SIMD streaming, resident', async () => { resident.run(); return resident.view(); });
  resident.teardown();
  await time('posenc-pkg', 'posenc SIMD streaming, package API', async () => pe.attention({ q, k, v, shape: [shape.seq, shape.heads, shape.dim], position: 'alibi', causal: true }).output);
  // The peers materialise the [heads, L, L] score matrix (8.6 GB at L = 16384, beyond the 4 GB a
  // WebAssembly heap can address). At that length they are tried without the ALiBi bias (whose own
  // [heads, L, L] array could not be built either), so the failure reported is the peer's own.
  const { heads, seq, dim } = shape, scale = 1 / Math.sqrt(dim);
  const withBias = heads * seq * seq <= 2 ** 28;
  if (tfjs) {
    const { tf } = tfjs;
    await time('tfjs', `tfjs wasm (full score matrix${withBias ? '' : ', no bias'})`, async () => {
      const made = [];
      try {
        const t = (x, dims) => { const r = tf.tensor3d(x, dims); made.push(r); return r; };
        const qt = t(headsFirst(q, shape), [heads, seq, dim]), kt = t(headsFirst(k, shape), [heads, seq, dim]);
        const vt = t(headsFirst(v, shape), [heads, seq, dim]);
        const bt = withBias ? t(alibiCausalBias(shape), [heads, seq, seq]) : null;
        const o = tf.tidy(() => {
          const z = tf.mul(tf.matMul(qt, kt, false, true), scale);
          return tf.matMul(tf.softmax(bt ? tf.add(z, bt) : z), vt);
        });
        const out = seqFirst(o.dataSync(), shape);
        o.dispose();
        return out;
      } finally {
        made.forEach((x) => x.dispose());
      }
    });
  }
  if (ort) {
    await time('ort', `onnxruntime-web wasm (full score matrix${withBias ? '' : ', no bias'})`, async () => {
      const s = await session(ort.ort, attentionModel(shape, withBias ? alibiCausalBias(shape) : null));
      try {
        const T = (x) => new ort.ort.Tensor('float32', headsFirst(x, shape), [heads, seq, dim]);
        return seqFirst((await s.run({ q: T(q), k: T(k), v: T(v) })).o.data, shape);
      } finally {
        await s.release();
      }
    });
  }
  const columns = [
    { key: 'label', title: 'contender', align: 'left' },
    { key: 'medianMs', title: 'median ms', format: fmt.ms },
    { key: 'gflops', title: 'GFLOP/s', format: fmt.rate },
    { key: 'maxAbsErrorSampledRows', title: 'max abs err (5 rows)', format: fmt.err },
    { key: 'error', title: 'what happened', align: 'left', format: (x) => x ?? 'ran' },
  ];
  process.stdout.write(`\nW4 causal attention + ALiBi, seq ${shape.seq}, ${shape.heads} heads, head dim ${shape.dim} (${rounds} timed round(s))\n`);
  process.stdout.write(formatTable(columns, results) + '\n');
  return { title: 'W4', shape, rounds, results };
}

// =============================================================================================
// The WebAssembly heap around 64 MiB calls (run first, on the fresh instance): it grows to the
// largest working set and never shrinks (WebAssembly memory cannot); scratch is freed after each
// call, so repeated calls reuse it, and tensors disposed leave their space to the next ones.

function heapPolicy(pe) {
  const MiB = 2 ** 20, shape = [W1.seq, W1.heads, W1.dim], n = W1.seq * W1.heads * W1.dim;
  const frequencies = pe.rope.frequencies({ head_dim: W1.dim }), x = randomArray(n, 5), out = new Float32Array(n);
  const rows = [];
  const note = (step) => {
    const d = pe.diagnostics();
    rows.push({ step, heapMiB: d.heapBytes / MiB, mallocMiB: d.mallocBytes / MiB, tensors: d.tensors });
  };
  const times = (k, fn) => { for (let i = 0; i < k; i++) fn(); };
  note('fresh instance');
  pe.rope.apply(x, { shape, frequencies });
  note('after one 64 MiB rope.apply (plain arrays, new array out)');
  times(10, () => pe.rope.apply(x, { shape, frequencies }));
  note('after 10 more');
  times(10, () => pe.rope.apply(x, { shape, frequencies, out }));
  note('after 10 with out (plain arrays)');
  const t = pe.tensor(x, { shape });
  note('a 64 MiB tensor alive');
  times(10, () => pe.rope.apply(t, { shape, frequencies, out: t }));
  note('after 10 in place on the tensor');
  t.dispose();
  note('tensor disposed');
  const t2 = pe.tensor(x, { shape });
  note('another 64 MiB tensor alive');
  t2.dispose();
  const columns = [
    { key: 'step', title: 'step', align: 'left' },
    { key: 'heapMiB', title: 'heap MiB', format: (v) => v.toFixed(1) },
    { key: 'mallocMiB', title: 'malloc in use MiB', format: (v) => v.toFixed(1) },
    { key: 'tensors', title: 'tensors' },
  ];
  process.stdout.write(`\nWebAssembly heap (pe.diagnostics()) around 64 MiB calls\n${formatTable(columns, rows)}\n`);
  return rows;
}

async function main() {
  const here = fileURLToPath(new URL('.', import.meta.url));
  const argv = process.argv.slice(2);
  const onlyAt = argv.indexOf('--only');
  const only = onlyAt >= 0 ? new Set(argv.splice(onlyAt, 2)[1].split(',')) : new Set(['W1', 'W2', 'W4']);
  const args = parseArgs(argv, { name: NAME, defaultJson: `${here}results/${NAME}.json` });
  const gc = gcFunction();
  const warnings = [];

  const pe = await initPosenc({ simd: true });
  const heap = heapPolicy(pe);
  const raw = { simd: await rawModule('simd'), base: await rawModule('base') };
  const tfjs = await initTfjsWasm().catch((e) => { warnings.push(warn(`tfjs unavailable: ${e.message}`)); return null; });
  const ort = await initOrt().catch((e) => { warnings.push(warn(`onnxruntime-web unavailable: ${e.message}`)); return null; });
  const machine = machineInfo();
  const limits = { simd: roofline(raw.simd, { bytes: args.quick ? 16 << 20 : 64 << 20 }), base: roofline(raw.base, { bytes: args.quick ? 16 << 20 : 64 << 20, peakIterations: 2_000_000 }) };
  process.stdout.write(
    `posenc ${pe.version} kernel benchmark (${args.mode} run)\n` +
    `node ${machine.node}, ${machine.os}, ${machine.cpuModel} x${machine.logicalCpus}, load average ${machine.loadAverage.join(' ')}\n` +
    `tfjs ${tfjs ? `${tfjs.info.versionCore} (${tfjs.info.wasmBinary}, threads ${tfjs.info.threadsCount})` : 'unavailable'}; ` +
    `onnxruntime-web ${ort ? `${ort.info.version} (wasm, 1 thread)` : 'unavailable'}\n` +
    `ceilings in this process: SIMD build ${limits.simd.peakGflops.toFixed(1)} GFLOP/s (f32x4 mul+add), ` +
    `copy stream ${limits.simd.streamGBs.toFixed(1)} GB/s, in place ${limits.simd.inPlaceGBs.toFixed(1)} GB/s (read + write); baseline build ${limits.base.peakGflops.toFixed(1)} GFLOP/s, ` +
    `${limits.base.streamGBs.toFixed(1)} GB/s\n`);

  const cases = [];
  const common = { settings: args.settings, gc, relativeTo: 'js', speedupOf: 'posenc-simd', labels: { relative: 'vs plain JS', speedup: 'posenc SIMD speed-up' } };

  if (only.has('W1')) {
    const n = W1.seq * W1.heads * W1.dim, w = ropeFrequencies(W1.dim, W1.theta), x = randomArray(n, 11);
    const result = await runCase({ title: `W1 RoPE apply ${W1.seq} x ${W1.heads} x ${W1.dim}`, values: n, reference: ropeReference(x, W1, w),
      contenders: w1Contenders({ x, w, pe, raw, tfjs, ort }), ...common, relativeTo: 'js-tables', labels: { relative: 'vs careful JS', speedup: 'kernel speed-up' }, settings: { ...args.settings, budgetMs: args.quick ? 2000 : 15000 } });
    const byId = Object.fromEntries(result.results.map((r) => [r.id, r]));
    const streamMs = (2 * n * 4) / (limits.simd.streamGBs * 1e6);
    const inPlaceMs = (2 * n * 4) / (limits.simd.inPlaceGBs * 1e6);
    const ms = (id) => byId[id]?.medianMs ?? NaN;
    const derived = {
      streamLimitMs: streamMs,
      fractionOfStream: streamMs / ms('posenc-simd'),
      inPlaceLimitMs: inPlaceMs,
      fractionOfInPlace: inPlaceMs / ms('posenc-simd'),
      vsCarefulJs: ms('js-tables') / ms('posenc-simd'),
      vsNaiveJs: ms('js') / ms('posenc-simd'),
      vsTfjs: byId.tfjs ? ms('tfjs') / ms('posenc-simd') : null,
      vsOrt: byId.ort ? ms('ort') / ms('posenc-simd') : null,
      // What users get through pe.* (targets: >= 0.8 of the in-place stream and >= 3x the careful
      // loop with tensors; >= 1.5x the careful loop with plain arrays and out).
      publicTensorFractionOfInPlace: inPlaceMs / ms('posenc-tensor'),
      publicTensorVsKernel: ms('posenc-simd') / ms('posenc-tensor'),
      checkedKernelVsKernel: ms('posenc-simd') / ms('posenc-checked'),
      publicTensorVsCarefulJs: ms('js-tables') / ms('posenc-tensor'),
      publicOutVsCarefulJs: ms('js-tables') / ms('posenc-out'),
      publicNewArrayVsCarefulJs: ms('js-tables') / ms('posenc-pkg'),
    };
    const pct = (x) => `${(100 * x).toFixed(0)}%`;
    process.stdout.write(`  ${2 * n * 4 / 2 ** 20} MiB read + written: copy stream ${streamMs.toFixed(2)} ms, in-place stream ${inPlaceMs.toFixed(2)} ms\n` +
      `  kernel (raw module): ${ms('posenc-simd').toFixed(2)} ms = ${pct(derived.fractionOfInPlace)} of the in-place stream; ${fmt.ratio(derived.vsCarefulJs)} the careful JS loop, ` +
      `${fmt.ratio(derived.vsNaiveJs)} the naive one, ${fmt.ratio(derived.vsTfjs)} tfjs, ${fmt.ratio(derived.vsOrt)} ORT\n` +
      `  public API, tensor in place: ${ms('posenc-tensor').toFixed(2)} ms = ${pct(derived.publicTensorFractionOfInPlace)} of the in-place stream (target 80%), ` +
      `${pct(derived.publicTensorVsKernel)} of the kernel's speed, ${fmt.ratio(derived.publicTensorVsCarefulJs)} the careful JS loop (target 3x); ` +
      `the kernel with its NaN check: ${pct(derived.checkedKernelVsKernel)} of the kernel's speed\n` +
      `  public API, plain arrays + out: ${fmt.ratio(derived.publicOutVsCarefulJs)} the careful JS loop (target 1.5x); new array out: ${fmt.ratio(derived.publicNewArrayVsCarefulJs)}\n`);
    cases.push({ workload: 'W1', ...W1, ...result, derived });
  }

  if (only.has('W2')) {
    const shape = W2, n = shape.seq * shape.heads * shape.dim;
    const q = randomArray(n, 12), k = randomArray(n, 13), v = randomArray(n, 14);
    const result = await runCase({ title: `W2 causal attention + ALiBi, seq ${shape.seq}, ${shape.heads} heads, head dim ${shape.dim}`,
      values: n, reference: attentionReference(q, k, v, shape), contenders: w2Contenders({ q, k, v, pe, raw, tfjs, ort, shape }),
      ...common, settings: { ...args.settings, budgetMs: args.quick ? 2000 : 25000, maxRounds: args.quick ? 2 : 60, minRounds: args.quick ? 2 : 8 } });
    const flops = attentionFlops(shape);
    for (const r of result.results) r.gflops = flops / (r.medianMs * 1e6);
    const byId = Object.fromEntries(result.results.map((r) => [r.id, r]));
    const peers = ['tfjs', 'ort'].filter((id) => byId[id]).map((id) => byId[id].medianMs);
    const derived = {
      flops,
      posencGflops: byId['posenc-simd'].gflops,
      fractionOfPeak: byId['posenc-simd'].gflops / limits.simd.peakGflops,
      vsBestPeer: peers.length ? Math.min(...peers) / byId['posenc-simd'].medianMs : null,
      // pe.attention with tensors against the kernel alone (target: within 5%, i.e. >= 0.95).
      publicTensorVsKernel: byId['posenc-simd'].medianMs / byId['posenc-tensor'].medianMs,
      publicPlainVsKernel: byId['posenc-simd'].medianMs / byId['posenc-pkg'].medianMs,
    };
    process.stdout.write(`  ${(flops / 1e9).toFixed(2)} GFLOP per call: posenc SIMD resident ${derived.posencGflops.toFixed(1)} GFLOP/s = ` +
      `${(100 * derived.fractionOfPeak).toFixed(0)}% of the measured peak; ${fmt.ratio(derived.vsBestPeer)} the best single-thread peer\n` +
      `  public API at ${(100 * derived.publicTensorVsKernel).toFixed(1)}% of the kernel's speed with tensors (target 95%), ` +
      `${(100 * derived.publicPlainVsKernel).toFixed(1)}% with plain arrays\n`);
    for (const r of result.results) process.stdout.write(`    ${r.label}: ${r.gflops.toFixed(2)} GFLOP/s\n`);
    cases.push({ workload: 'W2', ...shape, ...result, derived });
  }

  if (only.has('W4')) cases.push({ workload: 'W4', ...(await runW4({ pe, raw, tfjs, ort, quick: args.quick, gc })) });

  const file = writeJson(args.json, {
    benchmark: NAME, mode: args.mode, machine,
    versions: { posenc: pe.version, tfjsCore: tfjs?.info.versionCore ?? null, onnxruntimeWeb: ort?.info.version ?? null },
    limits, heap, cases, warnings: [...warnings, ...cases.flatMap((c) => c.warnings ?? [])],
  });
  process.stdout.write(`\nwrote ${file}\n`);
  if (args.quick) process.stdout.write('(--quick: few repetitions and W4 at 4096, the numbers are only a smoke test)\n');
}

main().catch((e) => {
  process.stderr.write(`${e?.stack ?? e}\n`);
  process.exit(1);
});
