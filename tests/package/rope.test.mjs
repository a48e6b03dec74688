// SPDX-License-Identifier: MIT
// pe.rope and pe.xpos through the installed package: golden parity for every RoPE file, configs as
// Hugging Face writes them (v4 and v5), properties, and argument checking.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { init } from 'posenc';

import { crossPrecisionAtol, golden, maxDiff, randomVector } from './helpers.mjs';

const pe = await init();
const base = await init({ simd: false });

// Check a golden case: frequencies, cache rows and rotated q at every stored position.
function checkCase(inst, name, f, positions, ref, ref64, q, layout) {
  const h = f.rotaryDim / 2;
  assert.equal(f.invFreq.length, h, name);
  f.invFreq.forEach((w, i) => {
    assert.ok(Math.abs(w - ref.inv[i]) <= 1e-5 * ref.inv[i], `${name} inv_freq[${i}]`);  // README: 1e-5 relative
    assert.ok(Math.abs(w - ref64.inv[i]) <= 1e-13 * ref64.inv[i], `${name} inv_freq[${i}] vs float64`);
  });
  assert.ok(Math.abs(f.attentionFactor - ref.af) <= 1e-14, `${name} attention factor`);
  const { cos, sin } = inst.rope.cache({ frequencies: f, positions });
  positions.forEach((p, k) => {
    for (let i = 0; i < ref.cos[k].length; i++) {
      for (const [got, r32, r64] of [[cos[k * h + (i % h)], ref.cos[k][i], ref64.cos[k][i]], [sin[k * h + (i % h)], ref.sin[k][i], ref64.sin[k][i]]]) {
        assert.ok(Math.abs(got - r32) <= crossPrecisionAtol(p), `${name} cos/sin at ${p}`);
        assert.ok(Math.abs(got - r64) <= 1.2e-7, `${name} cos/sin at ${p} vs float64: ${got} ${r64}`);
      }
    }
    const rotated = inst.rope.apply(q, { shape: [1, 1, q.length], frequencies: f, positions: [p], layout });
    for (let j = 0; j < q.length; j++) {
      assert.ok(Math.abs(rotated[j] - ref.q[k][j]) <= crossPrecisionAtol(p), `${name} q at ${p}`);
      assert.ok(Math.abs(rotated[j] - ref64.q[k][j]) <= 5e-7, `${name} q at ${p} vs float64`);
    }
  });
}

for (const [label, inst] of [['simd', pe], ['baseline', base]]) {
  test(`golden parity (${label}): Hugging Face RoPE, every scaling file, from the configs as HF reads them`, () => {
    let cases = 0;
    for (const file of ['rope_default.json', 'rope_linear.json', 'rope_dynamic.json', 'rope_yarn.json', 'rope_llama3.json']) {
      const g = golden(file);
      for (const c of g.cases) {
        const config = { ...c.params };
        if (config.rope_scaling === null) delete config.rope_scaling;
        const f = inst.rope.frequencies(config, c.seq_len ? { seqLen: c.seq_len } : {});
        const r64 = c.float64_reevaluation;
        checkCase(inst, c.name, f, g.positions,
          { inv: c.inv_freq, af: c.attention_factor, cos: c.cos, sin: c.sin, q: c.q_rotated },
          { inv: r64.inv_freq, cos: r64.cos, sin: r64.sin, q: r64.q_rotated },
          Float32Array.from(g.q_input_float32[String(c.params.head_dim)]), 'half');
        cases++;
      }
    }
    assert.equal(cases, 10);
  });

  test(`golden parity (${label}): Meta Llama interleaved pairs`, () => {
    const g = golden('rope_interleaved.json');
    const f = inst.rope.frequencies({ head_dim: g.params.head_dim, rope_theta: g.params.theta });
    const r64 = g.float64_reevaluation;
    checkCase(inst, 'interleaved', f, g.positions,
      { inv: g.freqs, af: 1, cos: g.cos, sin: g.sin, q: g.q_rotated },
      { inv: r64.freqs, cos: r64.cos, sin: r64.sin, q: r64.q_rotated },
      Float32Array.from(g.q_input_float32), 'interleaved');
  });
}

test('configs as written by Hugging Face v4 and v5 give the same frequencies', () => {
  const v4 = {
    hidden_size: 4096, num_attention_heads: 32, rope_theta: 500000, max_position_embeddings: 131072,
    rope_scaling: { type: 'llama3', factor: 8.0, low_freq_factor: 1.0, high_freq_factor: 4.0, original_max_position_embeddings: 8192 },
    vocab_size: 128256, torch_dtype: 'bfloat16',  // other keys of a config.json are ignored
  };
  const v5 = {
    head_dim: 128, max_position_embeddings: 131072,
    rope_parameters: { rope_type: 'llama3', rope_theta: 500000, factor: 8.0, low_freq_factor: 1.0, high_freq_factor: 4.0, original_max_position_embeddings: 8192 },
  };
  const a = pe.rope.frequencies(v4), b = pe.rope.frequencies(v5);
  assert.deepEqual(a.invFreq, b.invFreq);
  assert.equal(a.ropeType, 'llama3');
  assert.equal(a.headDim, 128);
  // per-layer-type rope_parameters (Gemma 3 style)
  const perLayer = {
    head_dim: 256, rope_parameters: {
      full_attention: { rope_type: 'linear', factor: 8.0, rope_theta: 1000000 },
      sliding_attention: { rope_type: 'default', rope_theta: 10000 },
    },
  };
  const full = pe.rope.frequencies(perLayer, { layerType: 'full_attention' });
  assert.ok(Math.abs(full.invFreq[0] - 1 / 8) < 1e-15);
  assert.equal(pe.rope.frequencies(perLayer, { layerType: 'sliding_attention' }).ropeType, 'default');
  assert.throws(() => pe.rope.frequencies(perLayer), /keyed by layer type|per layer type/);
  // Phi-3 style longrope: original_max_position_embeddings at the top level, factor derived.
  const phi = {
    hidden_size: 3072, num_attention_heads: 32, max_position_embeddings: 131072, original_max_position_embeddings: 4096,
    rope_scaling: { type: 'longrope', short_factor: Array(48).fill(1), long_factor: Array.from({ length: 48 }, (_, i) => 1 + i / 8) },
  };
  const s = pe.rope.frequencies(phi), l = pe.rope.frequencies(phi, { seqLen: 5000 });
  assert.ok(Math.abs(s.attentionFactor - Math.sqrt(1 + Math.log(32) / Math.log(4096))) < 1e-14);
  assert.ok(Math.abs(l.invFreq[47] - s.invFreq[47] / (1 + 47 / 8)) < 1e-15);
  // partial rotary (Phi-2: head_dim 80, factor 0.4 -> 32 rotary dims)
  const p = pe.rope.frequencies({ hidden_size: 2560, num_attention_heads: 32, partial_rotary_factor: 0.4 });
  assert.equal(p.rotaryDim, 32);
  const x = randomVector(80, 1);
  const y = pe.rope.apply(x, { shape: [1, 1, 80], frequencies: p, offset: 9 });
  assert.deepEqual(Array.from(y.subarray(32)), Array.from(x.subarray(32)));
});

test('dynamic: stateless, by sequence length', () => {
  const config = { head_dim: 64, max_position_embeddings: 2048, rope_scaling: { rope_type: 'dynamic', factor: 2.0 } };
  const plain = pe.rope.frequencies({ head_dim: 64 });
  assert.deepEqual(pe.rope.frequencies(config).invFreq, plain.invFreq);
  assert.deepEqual(pe.rope.frequencies(config, { seqLen: 2048 }).invFreq, plain.invFreq);
  const long = pe.rope.frequencies(config, { seqLen: 8192 });
  assert.ok(long.invFreq[31] < plain.invFreq[31]);
  assert.equal(long.invFreq[0], 1);
});

test('properties: norm kept, q.k depends only on m - n, inverse undoes apply (with attention factor)', () => {
  const yarn = pe.rope.frequencies({ head_dim: 64, max_position_embeddings: 4096, rope_scaling: { rope_type: 'yarn', factor: 4.0 } });
  for (const layout of ['half', 'interleaved']) {
    const f = pe.rope.frequencies({ head_dim: 64 });
    const q = randomVector(64, 2), k = randomVector(64, 3);
    const dot = (a, b) => a.reduce((s, v, i) => s + v * b[i], 0);
    const at = (v, p) => pe.rope.apply(v, { shape: [1, 1, 64], frequencies: f, positions: [p], layout });
    const ref = dot(at(q, 30), at(k, 10));
    for (const shift of [1, 17, 1000, 100000, 5000000]) {
      assert.ok(Math.abs(dot(at(q, 30 + shift), at(k, 10 + shift)) - ref) < 1e-4, `${layout} shift ${shift}`);
      assert.ok(Math.abs(dot(at(q, shift), at(q, shift)) - dot(q, q)) < 1e-4);
    }
    const x = randomVector(5 * 4 * 64, 4);
    const y = pe.rope.apply(x, { shape: [5, 4, 64], frequencies: yarn, offset: 77, layout });
    assert.ok(maxDiff(pe.rope.inverse(y, { shape: [5, 4, 64], frequencies: yarn, offset: 77, layout }), x) < 2e-6);
  }
});

test('SIMD and baseline builds agree at awkward sizes', () => {
  for (const d of [2, 6, 62, 130]) {
    for (const seq of [1, 3, 17]) {
      for (const layout of ['half', 'interleaved']) {
        const f = pe.rope.frequencies({ head_dim: d });
        const x = randomVector(seq * 3 * d, d + seq);
        const a = pe.rope.apply(x, { shape: [seq, 3, d], frequencies: f, offset: 11, layout });
        const b = base.rope.apply(x, { shape: [seq, 3, d], frequencies: f, offset: 11, layout });
        assert.ok(maxDiff(a, b) <= 1e-6, `${d} ${seq} ${layout}`);
      }
    }
  }
});

test('xpos: q.k scales by zeta^((m - n)/512), and inverse undoes it', () => {
  const d = 8;
  for (let i = 0; i < d / 2; i++) {
    const e = new Float32Array(d);
    e[2 * i] = 1;
    const zeta = (2 * i + 0.4 * d) / (1.4 * d);
    const w = 10000 ** (-2 * i / d);
    const q = pe.xpos.apply(e, { shape: [1, 1, d], role: 'query', positions: [900], center: 0 });
    const k = pe.xpos.apply(e, { shape: [1, 1, d], role: 'key', positions: [100], center: 0 });
    const got = q.reduce((s, v, j) => s + v * k[j], 0);
    const expect = zeta ** (800 / 512) * Math.cos(800 * w);
    assert.ok(Math.abs(got - expect) <= 2e-6 * Math.max(1, Math.abs(expect)), `pair ${i}: ${got} vs ${expect}`);
  }
  const x = randomVector(3 * 2 * 16, 7);
  const y = pe.xpos.apply(x, { shape: [3, 2, 16], role: 'key', offset: 40 });
  assert.ok(maxDiff(pe.xpos.apply(y, { shape: [3, 2, 16], role: 'key', offset: 40, inverse: true }), x) < 2e-6);
});

test('wavelengths are 2 pi / w', () => {
  const f = pe.rope.frequencies({ head_dim: 8, rope_theta: 100 });
  const wl = pe.rope.wavelengths(f);
  assert.ok(wl instanceof Float64Array);
  [1, 100 ** -0.25, 0.1, 100 ** -0.75].forEach((w, i) => assert.ok(Math.abs(wl[i] - 2 * Math.PI / w) < 1e-9));
});

const f64 = { invFreq: new Float64Array([1, 0.1]), attentionFactor: 1 };
const bad = [
  // [function, arguments, error class, text in the message]
  ['frequencies', [null], TypeError, 'config must be an object'],
  ['frequencies', [{}], RangeError, 'head_dim, or hidden_size'],
  ['frequencies', [{ head_dim: 64, rope_scaling: { rope_type: 'yarn', factor: 4, beta_fats: 32 } }], RangeError, 'rope_scaling.beta_fats is not a key'],
  ['frequencies', [{ head_dim: 64, rope_scaling: { rope_type: 'linear' } }], RangeError, 'rope_scaling.factor is required'],
  ['frequencies', [{ head_dim: 64, rope_scaling: { rope_type: 'linear', factor: 0.5 } }], RangeError, 'factor must be'],
  ['frequencies', [{ head_dim: 64, rope_scaling: { rope_type: 'warp', factor: 2 } }], RangeError, "rope_type must be one of"],
  ['frequencies', [{ head_dim: 64, rope_scaling: { rope_type: 'linear', type: 'dynamic', factor: 2 } }], RangeError, 'disagree'],
  ['frequencies', [{ head_dim: 64, rope_theta: 10000, rope_parameters: { rope_theta: 500000 } }], RangeError, 'rope_theta'],
  ['frequencies', [{ head_dim: 64, rope_scaling: { rope_type: 'llama3', factor: 8, low_freq_factor: 1, high_freq_factor: 4 } }], RangeError, 'original_max_position_embeddings is required'],
  ['frequencies', [{ head_dim: 64, rope_scaling: { rope_type: 'yarn', factor: 4 } }], RangeError, 'original_max_position_embeddings'],
  ['frequencies', [{ head_dim: 64, rope_scaling: { rope_type: 'dynamic', factor: 2 } }], RangeError, 'max_position_embeddings'],
  ['frequencies', [{ head_dim: 64, rope_scaling: { rope_type: 'longrope', short_factor: [1], long_factor: [1] } }], RangeError, 'short_factor must have 32 elements'],
  ['frequencies', [{ head_dim: 64, partial_rotary_factor: 0.3 }], RangeError, 'partial_rotary_factor'],
  ['frequencies', [{ head_dim: '64' }], TypeError, 'config.head_dim must be a number'],
  ['frequencies', [{ head_dim: 64, rope_theta: NaN }], RangeError, 'rope_theta must be a finite number'],
  ['frequencies', [{ head_dim: 64 }, { seqLen: -1 }], RangeError, 'seqLen'],
  ['frequencies', [{ head_dim: 64 }, { seqlen: 10 }], TypeError, 'unknown option "seqlen"'],
  ['apply', [new Float32Array(8), { shape: [1, 1, 8] }], TypeError, 'frequencies must be the object'],
  ['apply', [new Float32Array(8), { shape: [1, 1], frequencies: f64 }], TypeError, 'shape must be [seq, heads, headDim]'],
  ['apply', [new Float32Array(7), { shape: [1, 1, 8], frequencies: f64 }], RangeError, 'x must have 8 elements'],
  ['apply', [new Float32Array([NaN, 0, 0, 0]), { shape: [1, 1, 4], frequencies: f64 }], RangeError, 'x[0] must be finite'],
  ['apply', ['abcd', { shape: [1, 1, 4], frequencies: f64 }], TypeError, 'x must be'],
  ['apply', [new Float32Array(4), { shape: [1, 1, 4], frequencies: f64, layout: 'neox' }], RangeError, "layout must be one of 'half', 'interleaved'"],
  ['apply', [new Float32Array(8), { shape: [2, 1, 4], frequencies: f64, positions: [0, -1] }], RangeError, 'positions[1] must be in'],
  ['apply', [new Float32Array(8), { shape: [2, 1, 4], frequencies: f64, positions: [0] }], RangeError, 'positions must have 2 elements'],
  ['apply', [new Float32Array(8), { shape: [2, 1, 4], frequencies: f64, offset: 2 ** 24 }], RangeError, 'exceeds the largest position'],
  ['apply', [new Float32Array(8), { shape: [2, 1, 4], frequencies: f64, offset: 1, positions: [0, 1] }], RangeError, 'positions or offset'],
  ['apply', [new Float32Array(2), { shape: [1, 1, 2], frequencies: f64 }], RangeError, 'gives a rotary dimension of 4, more than shape[2]'],
  ['apply', [new Float32Array(4), { shape: [1, 1, 4], frequencies: { invFreq: [1, 0.1], attentionFactor: 0 } }], RangeError, 'attentionFactor must be > 0'],
  ['apply', [new Float32Array(4), { shape: [1, 1, 4], frequencies: f64, inverse: true }], TypeError, 'unknown option "inverse"'],
  ['apply', [new Float32Array(4), { shape: [1e9, 1e9, 4], frequencies: f64 }], RangeError, 'shape exceeds the 256 MiB limit'],
  ['cache', [{ frequencies: f64 }], TypeError, 'length must be a number'],
  ['cache', [{ frequencies: f64, length: 0 }], RangeError, 'length must be an integer >= 1'],
  ['wavelengths', [{ invFreq: 'x' }], TypeError, 'frequencies.invFreq must be'],
];

test('bad arguments give a TypeError/RangeError naming the parameter; nothing leaks', () => {
  const before = pe.diagnostics();
  for (let round = 0; round < 50; round++) {
    for (const [fn, args, cls, text] of bad) {
      assert.throws(() => pe.rope[fn](...args), (e) => {
        assert.equal(e.constructor, cls, `${fn}: ${e.message}`);
        assert.ok(e.message.startsWith(`posenc.rope.${fn}: `), e.message);
        assert.ok(e.message.includes(text), `"${e.message}" should contain "${text}"`);
        return true;
      });
    }
  }
  assert.throws(() => pe.xpos.apply(new Float32Array(4), { shape: [1, 1, 4] }), /role must be a string/);
  assert.deepEqual(pe.diagnostics(), before);
  const f = pe.rope.frequencies({ head_dim: 4 });
  assert.equal(pe.rope.apply([1, 0, 0, 0], { shape: [1, 1, 4], frequencies: f, offset: 1 })[0], Math.fround(Math.cos(1)));
});
