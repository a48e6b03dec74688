// SPDX-License-Identifier: MIT
// pe.models and the model_type conventions of pe.rope.frequencies, through the installed package.
// Fixtures (tests/fixtures/configs) are the public config.json files of real models, as published
// (v4) and with their RoPE keys as transformers v5 saves them; every expected number is computed here
// in float64 from the papers' and transformers' formulas (modeling_rope_utils.py, build_alibi_tensor,
// build_mpt_alibi_tensor), never taken from posenc.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { init } from 'posenc';

import { crossPrecisionAtol, expectErrors, fixture, randomVector } from './helpers.mjs';

const pe = await init();
const cfg = (name) => fixture(`configs/${name}.json`).config;
const clone = (o) => JSON.parse(JSON.stringify(o));

// ---------------------------------------------------------------------------------------------
// Reference formulas (float64).

const range = (n) => Array.from({ length: n }, (_, i) => i);
// RoPE: w_i = theta^(-2i/d), i < d/2 (Su et al. 2021; transformers' _compute_default_rope_parameters).
const ropeDefault = (d, theta) => range(d / 2).map((i) => theta ** (-(2 * i) / d));
const getMscale = (scale, m) => (scale <= 1 ? 1 : 0.1 * m * Math.log(scale) + 1);

/** transformers' inverse frequencies and attention factor for one RoPE section, in float64. */
function reference(args) {
  const { type = 'default', theta, d, factor, original, maxPos, seqLen = 0, betaFast = 32, betaSlow = 1,
    mscale = 0, mscaleAllDim = 0, low = 1, high = 4 } = args;
  const base = ropeDefault(d, theta);
  if (type === 'default') return { inv: base, af: 1 };
  if (type === 'linear') return { inv: base.map((w) => w / factor), af: 1 };
  if (type === 'dynamic') {
    const s = Math.max(seqLen, maxPos);
    const t = theta * ((factor * s) / maxPos - (factor - 1)) ** (d / (d - 2));
    return { inv: ropeDefault(d, t), af: 1 };
  }
  if (type === 'longrope') {
    const f = maxPos / original;
    const af = f <= 1 ? 1 : Math.sqrt(1 + Math.log(f) / Math.log(original));
    const ext = seqLen > original ? args.long : args.short;
    return { inv: base.map((w, i) => w / ext[i]), af };
  }
  if (type === 'llama3') {
    const lowWl = original / low, highWl = original / high;
    return {
      af: 1,
      inv: base.map((w) => {
        const wl = (2 * Math.PI) / w;
        if (wl < highWl) return w;
        if (wl > lowWl) return w / factor;
        const smooth = (original / wl - low) / (high - low);
        return (1 - smooth) * (w / factor) + smooth * w;
      }),
    };
  }
  if (type === 'yarn') {
    const ctx = original ?? maxPos;
    const corr = (rot) => (d * Math.log(ctx / (rot * 2 * Math.PI))) / (2 * Math.log(theta));
    const lo = Math.max(Math.floor(corr(betaFast)), 0);
    let hi = Math.min(Math.ceil(corr(betaSlow)), d - 1);
    if (lo === hi) hi += 0.001;
    const af = mscale && mscaleAllDim ? getMscale(factor, mscale) / getMscale(factor, mscaleAllDim) : getMscale(factor, 1);
    return {
      af,
      inv: base.map((w, j) => {
        const extrapolation = 1 - Math.min(1, Math.max(0, (j - lo) / (hi - lo)));
        return (w / factor) * (1 - extrapolation) + w * extrapolation;
      }),
    };
  }
  throw new Error(type);
}

function closeTo(got, want, label, rel = 1e-9) {
  assert.equal(got.invFreq.length, want.inv.length, `${label}: ${got.invFreq.length} frequencies, want ${want.inv.length}`);
  want.inv.forEach((w, i) => assert.ok(Math.abs(got.invFreq[i] - w) <= rel * w, `${label}: inv_freq[${i}] ${got.invFreq[i]} vs ${w}`));
  assert.ok(Math.abs(got.attentionFactor - want.af) <= rel * want.af, `${label}: attention factor ${got.attentionFactor} vs ${want.af}`);
}

// The paper's ALiBi slopes (ofirpress get_slopes), float64.
function pressSlopes(n) {
  const pow2 = (k) => {
    const start = 2 ** -(2 ** -(Math.log2(k) - 3));
    return range(k).map((i) => start * start ** i);
  };
  if (Number.isInteger(Math.log2(n))) return pow2(n);
  const c = 2 ** Math.floor(Math.log2(n));
  return [...pow2(c), ...pressSlopes(2 * c).filter((_, i) => i % 2 === 0).slice(0, n - c)];
}

// ---------------------------------------------------------------------------------------------
// What each published model must give (numbers of the config, formulas above).

const RopeCases = [
  // [fixture, layout, per layer type: [type, reference args, rotaryDim]]
  ['llama-3.1-8b', 'half', { default: [{ type: 'llama3', theta: 500000, d: 128, factor: 8, original: 8192 }, 128] }],
  ['mistral-7b-v0.1', 'half', { default: [{ theta: 10000, d: 128 }, 128] }],
  ['mixtral-8x7b-v0.1', 'half', { default: [{ theta: 1e6, d: 128 }, 128] }],
  ['qwen2.5-7b-instruct', 'half', { full_attention: [{ theta: 1e6, d: 128 }, 128] }],
  ['qwen3-8b', 'half', { full_attention: [{ theta: 1e6, d: 128 }, 128] }],
  ['gemma-7b', 'half', { default: [{ theta: 10000, d: 256 }, 256] }],
  ['gemma-2-9b', 'half', { sliding_attention: [{ theta: 10000, d: 256 }, 256], full_attention: [{ theta: 10000, d: 256 }, 256] }],
  ['gemma-3-1b-it', 'half', { sliding_attention: [{ theta: 10000, d: 256 }, 256], full_attention: [{ theta: 1e6, d: 256 }, 256] }],
  // Gemma 3 4B's text_config gives only what differs from Gemma3TextConfig's defaults (head_dim 256).
  ['gemma-3-4b-it', 'half', {
    sliding_attention: [{ theta: 10000, d: 256 }, 256], full_attention: [{ type: 'linear', theta: 1e6, d: 256, factor: 8 }, 256],
  }],
  // Gemma 3 270M as transformers >= 4.55 writes it: layer_types beside _sliding_window_pattern.
  ['gemma-3-270m', 'half', { sliding_attention: [{ theta: 10000, d: 256 }, 256], full_attention: [{ theta: 1e6, d: 256 }, 256] }],
  // Phi-2: head 2560 / 32 = 80, int(80 * 0.4) = 32 rotate.
  ['phi-2', 'half', { default: [{ theta: 10000, d: 32 }, 32] }],
  // Pythia 6.9B: head 128, rotary_pct 0.25 -> 32 rotate, base rotary_emb_base.
  ['pythia-6.9b', 'half', { default: [{ theta: 10000, d: 32 }, 32] }],
  // GPT-J: rotary_dim 64 of head 256, interleaved pairs.
  ['gpt-j-6b', 'interleaved', { default: [{ theta: 10000, d: 64 }, 64] }],
  ['falcon-7b', 'half', { default: [{ theta: 10000, d: 64 }, 64] }],
  ['stablelm-2-zephyr-1.6b', 'half', { default: [{ theta: 10000, d: 16 }, 16] }],
  // DeepSeek-V3: RoPE on qk_rope_head_dim = 64, interleaved, YaRN (mscale = mscale_all_dim: factor 1).
  ['deepseek-v3', 'interleaved', {
    default: [{ type: 'yarn', theta: 10000, d: 64, factor: 40, original: 4096, mscale: 1, mscaleAllDim: 1 }, 64],
  }],
  ['deepseek-v2-lite', 'interleaved', {
    default: [{ type: 'yarn', theta: 10000, d: 64, factor: 40, original: 4096, mscale: 0.707, mscaleAllDim: 0.707 }, 64],
  }],
  // ChatGLM3: half of kv_channels 128 rotates, pairs interleaved, base 10000.
  ['chatglm3-6b', 'interleaved', { default: [{ theta: 10000, d: 64 }, 64] }],
  ['ministral3-defaults.v5', 'half', {
    default: [{ type: 'yarn', theta: 1e6, d: 128, factor: 16, original: 16384, mscale: 1, mscaleAllDim: 1 }, 128],
  }],
];

for (const [name, layout, byType] of RopeCases) {
  const forms = [name];
  try { cfg(`${name}.v5`); forms.push(`${name}.v5`); } catch { /* no v5 fixture */ }
  test(`${name}: frequencies and attention factor per layer type, as transformers computes them (${forms.length === 2 ? 'v4 and v5 forms' : 'one form'})`, () => {
    for (const form of forms) {
      const config = cfg(form);
      const d = pe.models.describe(config);
      assert.equal(d.method, 'rope', form);
      assert.equal(d.rope.layout, layout, form);
      assert.deepEqual(Object.keys(d.rope.byLayerType).sort(), Object.keys(byType).sort(), form);
      for (const [type, [args, rotaryDim]] of Object.entries(byType)) {
        const f = d.rope.byLayerType[type];
        assert.equal(f.rotaryDim, rotaryDim, `${form} ${type} rotaryDim`);
        const maxPos = d.contextLength;
        for (const seqLen of [0, 1, maxPos ?? 4096, 2 * (maxPos ?? 4096)]) {
          const g = pe.rope.frequencies(config, { seqLen, ...(type === 'default' ? {} : { layerType: type }) });
          closeTo(g, reference({ ...args, maxPos, seqLen }), `${form} ${type} seqLen ${seqLen}`);
          assert.equal(g.layout, layout);
        }
        closeTo(f, reference({ ...args, maxPos }), `${form} ${type} (describe)`);
      }
    }
  });
}

// transformers v5 also keeps partial_rotary_factor at the top level when the configuration class declares it
// (configuration_stablelm.py sets self.partial_rotary_factor beside rope_parameters).
test('v5 files with partial_rotary_factor both at the top level and in rope_parameters: equal values read once, others refused', () => {
  for (const [name, d] of [['phi-2.v5', 32], ['stablelm-2-zephyr-1.6b.v5', 16]]) {
    const both = cfg(name);
    both.partial_rotary_factor = both.rope_parameters.partial_rotary_factor;
    closeTo(pe.rope.frequencies(both), reference({ theta: 10000, d }), name);
    assert.throws(() => pe.rope.frequencies({ ...both, partial_rotary_factor: 0.5 }),
      (e) => e instanceof RangeError && e.message.includes('partial_rotary_factor') && e.message.includes('disagree'), name);
  }
});

test('every regime of seqLen: dynamic NTK (InternLM2-style config) and LongRoPE (Phi-3-style), v4 and v5 forms', () => {
  // Constructed configs in the shape of those families' files (not a published model's numbers).
  const dynamic = {
    model_type: 'internlm2', hidden_size: 4096, num_attention_heads: 32, num_hidden_layers: 32, max_position_embeddings: 32768,
    rope_theta: 1000000, rope_scaling: { type: 'dynamic', factor: 2.0 },
  };
  const dynamicV5 = { ...dynamic, rope_theta: undefined, rope_scaling: undefined, rope_parameters: { rope_type: 'dynamic', factor: 2.0, rope_theta: 1000000 } };
  for (const config of [dynamic, JSON.parse(JSON.stringify(dynamicV5))]) {
    for (const seqLen of [0, 1, 32767, 32768, 32769, 65536, 100000]) {
      closeTo(pe.rope.frequencies(config, { seqLen }), reference({ type: 'dynamic', theta: 1e6, d: 128, factor: 2, maxPos: 32768, seqLen }), `dynamic ${seqLen}`);
    }
  }
  const short = range(48).map((i) => 1 + i / 100), long = range(48).map((i) => 1 + i / 4);
  const longrope = {
    model_type: 'phi3', hidden_size: 3072, num_attention_heads: 32, num_hidden_layers: 32, max_position_embeddings: 131072,
    original_max_position_embeddings: 4096, rope_theta: 10000.0, rope_scaling: { type: 'longrope', short_factor: short, long_factor: long },
  };
  const longropeV5 = {
    model_type: 'phi3', hidden_size: 3072, num_attention_heads: 32, num_hidden_layers: 32, max_position_embeddings: 131072,
    original_max_position_embeddings: 4096,
    rope_parameters: { rope_type: 'longrope', rope_theta: 10000.0, short_factor: short, long_factor: long, original_max_position_embeddings: 4096 },
  };
  for (const config of [longrope, longropeV5]) {
    for (const seqLen of [0, 1, 4095, 4096, 4097, 131072, 200000]) {
      closeTo(pe.rope.frequencies(config, { seqLen }), reference({ type: 'longrope', theta: 10000, d: 96, original: 4096, maxPos: 131072, seqLen, short, long }), `longrope ${seqLen}`);
    }
  }
});

test('the four silent failures of the issue: Pythia 32 of 128, DeepSeek 64 interleaved, Gemma 3 local base, Ministral 3 beta', () => {
  const pythia = pe.rope.frequencies(cfg('pythia-6.9b'));
  assert.equal(pythia.headDim, 128);
  assert.equal(pythia.rotaryDim, 32);
  const ds = pe.rope.frequencies(cfg('deepseek-v3'));
  assert.equal(ds.rotaryDim, 64);
  assert.equal(ds.layout, 'interleaved');
  assert.equal(pe.models.describe(cfg('deepseek-v3')).headDim, 128 + 64);
  const g = cfg('gemma-3-1b-it');
  assert.equal(pe.rope.frequencies(g, { layerType: 'sliding_attention' }).theta, 10000);
  assert.equal(pe.rope.frequencies(g, { layerType: 'full_attention' }).theta, 1e6);
  const types = pe.models.describe(g).layerTypes;
  assert.equal(types.length, 26);
  types.forEach((t, i) => assert.equal(t, (i + 1) % 6 ? 'sliding_attention' : 'full_attention', `layer ${i}`));
  const m = pe.rope.frequencies(cfg('ministral3-defaults.v5'));
  assert.deepEqual({ ...m.llama4Scaling }, { beta: 0.1, originalMaxPositionEmbeddings: 16384 });
  assert.equal(pe.rope.frequencies(cfg('llama-3.1-8b')).llama4Scaling, null);
});

test('the layout a family reports rotates the pairs its transformers code rotates (DeepSeek interleaved, Pythia partial half)', () => {
  // Pair of coordinate j < rotaryDim/2: interleaved (2j, 2j + 1); half (j, j + rotaryDim/2); the rest pass through.
  for (const [name, pair] of [['deepseek-v3', (j) => [2 * j, 2 * j + 1]], ['pythia-6.9b', (j) => [j, j + 16]]]) {
    const f = pe.rope.frequencies(cfg(name));
    const d = f.headDim, h = f.rotaryDim / 2;
    const x = randomVector(d, 7);
    for (const p of [0, 1, 100, 5000]) {
      const got = pe.rope.apply(x, { shape: [1, 1, d], frequencies: f, positions: [p], layout: f.layout });
      const want = Array.from(x, Number);
      for (let j = 0; j < h; j++) {
        const [a, b] = pair(j), t = p * f.invFreq[j];
        want[a] = (x[a] * Math.cos(t) - x[b] * Math.sin(t)) * f.attentionFactor;
        want[b] = (x[b] * Math.cos(t) + x[a] * Math.sin(t)) * f.attentionFactor;
      }
      want.forEach((w, i) => assert.ok(Math.abs(got[i] - w) <= crossPrecisionAtol(p), `${name} position ${p} coordinate ${i}: ${got[i]} vs ${w}`));
    }
  }
});

test('ALiBi models: slopes for their head count (BLOOM, Baichuan 13B: the paper; MPT: build_mpt_alibi_tensor)', () => {
  for (const [name, heads] of [['bloom-560m', 16], ['baichuan2-13b-base', 40], ['mpt-7b', 32]]) {
    const d = pe.models.describe(cfg(name));
    assert.equal(d.method, 'alibi', name);
    assert.equal(d.alibi.heads, heads);
    const want = pressSlopes(heads);
    // JavaScript's ** and C's pow may differ in the last bits: 1e-14 relative.
    want.forEach((s, i) => assert.ok(Math.abs(d.alibi.slopes[i] - s) <= 1e-14 * s, `${name} slope ${i}`));
  }
  // MPT with a head count that is not a power of two and another alibi_bias_max.
  const mpt = cfg('mpt-7b');
  mpt.n_heads = 12;
  mpt.attn_config.alibi_bias_max = 16;
  const p = 16;
  const all = range(p).map((k) => 2 ** (-(k + 1) * (16 / p)));
  const want = [...all.filter((_, k) => k % 2 === 1), ...all.filter((_, k) => k % 2 === 0)].slice(0, 12);
  const got = pe.models.describe(mpt).alibi.slopes;
  want.forEach((s, i) => assert.ok(Math.abs(got[i] - s) <= 1e-15 * s, `mpt slope ${i}`));
  // Falcon with alibi: true.
  const falcon = { ...cfg('falcon-7b'), alibi: true };
  const fd = pe.models.describe(falcon);
  assert.equal(fd.method, 'alibi');
  pressSlopes(71).forEach((s, i) => assert.ok(Math.abs(fd.alibi.slopes[i] - s) <= 1e-14 * s, `falcon slope ${i}`));
});

test('learned tables, T5 buckets and sinusoidal tables: sizes, offsets and layouts', () => {
  const learned = (n) => pe.models.describe(cfg(n)).learned;
  assert.deepEqual({ ...learned('gpt2') }, { maxPositions: 1024, offset: 0, tableRows: 1024, dim: 768 });
  assert.deepEqual({ ...learned('bert-base-uncased') }, { maxPositions: 512, offset: 0, tableRows: 512, dim: 768 });
  // RoBERTa: positions from padding_idx + 1 = 2; 514 rows leave 512 positions.
  assert.deepEqual({ ...learned('roberta-base') }, { maxPositions: 512, offset: 2, tableRows: 514, dim: 768 });
  // OPT: 2048 positions, a table of 2048 + 2 rows.
  assert.deepEqual({ ...learned('opt-125m') }, { maxPositions: 2048, offset: 2, tableRows: 2050, dim: 768 });
  const t5 = pe.models.describe(cfg('mt5-small'));
  assert.equal(t5.method, 't5');
  assert.deepEqual({ ...t5.t5 }, { numBuckets: 32, maxDistance: 128, bidirectional: true, decoderBidirectional: false });
  assert.equal(t5.heads, 6);
  assert.equal(t5.layers, 8);
  const m2m = pe.models.describe(cfg('m2m100-418m'));
  assert.equal(m2m.method, 'sinusoidal');
  assert.deepEqual({ ...m2m.sinusoidal }, { layout: 'fairseq', paddingIdx: 1, dim: 1024, maxPositions: 1024, offset: 2 });
  const marian = pe.models.describe({ model_type: 'marian', d_model: 512, encoder_attention_heads: 8, max_position_embeddings: 512, pad_token_id: 58100 });
  assert.deepEqual({ ...marian.sinusoidal }, { layout: 'marian', paddingIdx: null, dim: 512, maxPositions: 512, offset: 0 });
});

// ---------------------------------------------------------------------------------------------
// One key per family changes the answer, so it can never again be dropped silently.

const summary = (d) => JSON.stringify({
  ...d, ignoredKeys: undefined,
  rope: d.rope && { ...d.rope, byLayerType: Object.fromEntries(Object.entries(d.rope.byLayerType).map(([k, f]) => [k, { ...f, invFreq: [...f.invFreq], ignoredKeys: undefined }])) },
  alibi: d.alibi && { ...d.alibi, slopes: [...d.alibi.slopes] },
});

const KEY_CASES = [
  // [family, config, change, check of the changed description]
  ['llama', 'llama-3.1-8b', (c) => { c.rope_scaling.factor = 4; }, (d) => closeTo(d.rope.byLayerType.default, reference({ type: 'llama3', theta: 500000, d: 128, factor: 4, original: 8192 }), 'llama')],
  ['mistral', 'mistral-7b-v0.1', (c) => { c.rope_theta = 1e6; }, (d) => assert.equal(d.rope.byLayerType.default.theta, 1e6)],
  ['mixtral (default theta)', 'mistral-7b-v0.1', (c) => { c.model_type = 'mixtral'; delete c.rope_theta; }, (d) => assert.equal(d.rope.byLayerType.default.theta, 1e6)],
  ['mixtral', 'mixtral-8x7b-v0.1', (c) => { c.rope_theta = 5e5; }, (d) => assert.equal(d.rope.byLayerType.default.theta, 5e5)],
  ['qwen2', 'qwen2.5-7b-instruct', (c) => { c.use_sliding_window = true; c.max_window_layers = 20; },
    (d) => d.layerTypes.forEach((t, i) => assert.equal(t, i >= 20 ? 'sliding_attention' : 'full_attention'))],
  ['qwen3_moe', 'qwen3-8b', (c) => { c.model_type = 'qwen3_moe'; c.num_experts = 128; c.rope_theta = 1e7; }, (d) => assert.equal(d.rope.byLayerType.full_attention.theta, 1e7)],
  ['qwen3', 'qwen3-8b', (c) => { c.head_dim = 64; }, (d) => assert.equal(d.rope.byLayerType.full_attention.rotaryDim, 64)],
  ['gemma (default head_dim)', 'mistral-7b-v0.1', (c) => { c.model_type = 'gemma'; }, (d) => assert.equal(d.headDim, 256)],
  ['gemma', 'gemma-7b', (c) => { c.head_dim = 128; }, (d) => assert.equal(d.headDim, 128)],
  ['gemma2', 'gemma-2-9b', (c) => { c.rope_theta = 20000; }, (d) => assert.equal(d.rope.byLayerType.full_attention.theta, 20000)],
  ['gemma3', 'gemma-3-1b-it', (c) => { c.rope_local_base_freq = 20000; }, (d) => assert.equal(d.rope.byLayerType.sliding_attention.theta, 20000)],
  ['gemma3', 'gemma-3-1b-it', (c) => { c.sliding_window_pattern = 2; }, (d) => assert.equal(d.layerTypes.filter((t) => t === 'full_attention').length, 13)],
  ['gemma3', 'gemma-3-1b-it', (c) => { c.rope_scaling = { rope_type: 'linear', factor: 8 }; },
    (d) => { assert.equal(d.rope.byLayerType.full_attention.ropeType, 'linear'); assert.equal(d.rope.byLayerType.sliding_attention.ropeType, 'default'); }],
  ['gemma3 (multimodal)', 'gemma-3-4b-it', (c) => { c.text_config.rope_scaling.factor = 4; },
    (d) => closeTo(d.rope.byLayerType.full_attention, reference({ type: 'linear', theta: 1e6, d: 256, factor: 4 }), 'gemma3 4b')],
  ['gemma3 (v5)', 'gemma-3-1b-it.v5', (c) => { c.rope_parameters.sliding_attention.rope_theta = 5000; }, (d) => assert.equal(d.rope.byLayerType.sliding_attention.theta, 5000)],
  ['phi', 'phi-2', (c) => { c.partial_rotary_factor = 0.5; }, (d) => assert.equal(d.rope.byLayerType.default.rotaryDim, 40)],
  ['phi', 'phi-2', (c) => { delete c.partial_rotary_factor; }, (d) => assert.equal(d.rope.byLayerType.default.rotaryDim, 40)],
  ['phi3', 'phi-2', (c) => { c.model_type = 'phi3'; delete c.partial_rotary_factor; }, (d) => assert.equal(d.rope.byLayerType.default.rotaryDim, 80)],
  ['gpt_neox', 'pythia-6.9b', (c) => { c.rotary_pct = 0.5; }, (d) => assert.equal(d.rope.byLayerType.default.rotaryDim, 64)],
  ['gpt_neox (default rotary_pct)', 'mistral-7b-v0.1', (c) => { c.model_type = 'gpt_neox'; }, (d) => assert.equal(d.rope.byLayerType.default.rotaryDim, 32)],
  ['gpt_neox', 'pythia-6.9b', (c) => { c.rotary_emb_base = 20000; }, (d) => closeTo(d.rope.byLayerType.default, reference({ theta: 20000, d: 32 }), 'neox base')],
  ['gpt_neox (v5)', 'pythia-6.9b.v5', (c) => { c.rope_parameters.partial_rotary_factor = 1; }, (d) => assert.equal(d.rope.byLayerType.default.rotaryDim, 128)],
  ['gptj', 'gpt-j-6b', (c) => { c.rotary_dim = 32; }, (d) => assert.equal(d.rope.byLayerType.default.rotaryDim, 32)],
  ['falcon', 'falcon-7b', (c) => { c.alibi = true; }, (d) => assert.equal(d.method, 'alibi')],
  ['falcon', 'falcon-7b', (c) => { c.rope_theta = 500000; }, (d) => assert.equal(d.rope.byLayerType.default.theta, 500000)],
  ['stablelm', 'stablelm-2-zephyr-1.6b', (c) => { c.partial_rotary_factor = 0.5; }, (d) => assert.equal(d.rope.byLayerType.default.rotaryDim, 32)],
  ['deepseek_v3', 'deepseek-v3', (c) => { c.qk_rope_head_dim = 32; }, (d) => assert.equal(d.rope.byLayerType.default.rotaryDim, 32)],
  ['deepseek_v3', 'deepseek-v3', (c) => { c.rope_interleave = false; }, (d) => assert.equal(d.rope.layout, 'half')],
  ['deepseek_v3', 'deepseek-v3', (c) => { c.rope_scaling.mscale = 0.5; },
    (d) => closeTo(d.rope.byLayerType.default, reference({ type: 'yarn', theta: 10000, d: 64, factor: 40, original: 4096, mscale: 0.5, mscaleAllDim: 1 }), 'ds mscale')],
  ['deepseek_v2', 'deepseek-v2-lite', (c) => { c.rope_scaling.beta_fast = 16; },
    (d) => closeTo(d.rope.byLayerType.default, reference({ type: 'yarn', theta: 10000, d: 64, factor: 40, original: 4096, betaFast: 16, mscale: 0.707, mscaleAllDim: 0.707 }), 'ds2 beta')],
  ['ministral3', 'ministral3-defaults.v5', (c) => { c.text_config.rope_parameters.llama_4_scaling_beta = 0.2; },
    (d) => assert.equal(d.rope.byLayerType.default.llama4Scaling.beta, 0.2)],
  ['olmo2', 'llama-3.1-8b', (c) => { c.model_type = 'olmo2'; c.rope_scaling = null; c.rope_theta = 500000; },
    (d) => closeTo(d.rope.byLayerType.default, reference({ theta: 500000, d: 128 }), 'olmo2')],
  ['cohere', 'llama-3.1-8b', (c) => { c.model_type = 'cohere'; }, (d) => assert.equal(d.rope.layout, 'interleaved')],
  ['cohere2', 'mistral-7b-v0.1', (c) => { c.model_type = 'cohere2'; c.num_hidden_layers = 8; },
    (d) => assert.deepEqual([...d.rope.noRopeLayers], [3, 7])],
  ['cohere2', 'mistral-7b-v0.1', (c) => { c.model_type = 'cohere2'; c.num_hidden_layers = 8; c.sliding_window_pattern = 2; },
    (d) => assert.deepEqual([...d.rope.noRopeLayers], [1, 3, 5, 7])],
  ['smollm3', 'mistral-7b-v0.1', (c) => { c.model_type = 'smollm3'; c.num_hidden_layers = 8; },
    (d) => assert.deepEqual([...d.rope.noRopeLayers], [3, 7])],
  ['smollm3', 'mistral-7b-v0.1', (c) => { c.model_type = 'smollm3'; c.num_hidden_layers = 4; c.no_rope_layers = [1, 0, 0, 1]; },
    (d) => assert.deepEqual([...d.rope.noRopeLayers], [1, 2])],
  ['internlm2', 'mistral-7b-v0.1', (c) => { c.model_type = 'internlm2'; c.rope_scaling = { type: 'dynamic', factor: 2.0 }; },
    (d) => closeTo(d.rope.byLayerType.default, reference({ theta: 10000, d: 128 }), 'internlm2 at seqLen 0')],
  ['minicpm', 'mistral-7b-v0.1', (c) => { c.model_type = 'minicpm'; c.scale_emb = 12; c.rope_theta = 20000; }, (d) => assert.equal(d.rope.byLayerType.default.theta, 20000)],
  ['chatglm', 'chatglm3-6b', (c) => { c.rope_ratio = 500; }, (d) => closeTo(d.rope.byLayerType.default, reference({ theta: 5e6, d: 64 }), 'glm rope_ratio')],
  ['chatglm', 'chatglm3-6b', (c) => { c.kv_channels = 64; }, (d) => assert.equal(d.rope.byLayerType.default.rotaryDim, 32)],
  ['glm', 'llama-3.1-8b', (c) => { c.model_type = 'glm'; c.rope_scaling = null; }, (d) => { assert.equal(d.rope.layout, 'interleaved'); assert.equal(d.rope.byLayerType.default.rotaryDim, 64); }],
  ['qwen2_moe', 'qwen2.5-7b-instruct', (c) => { c.model_type = 'qwen2_moe'; c.use_sliding_window = true; c.max_window_layers = 27; },
    (d) => assert.deepEqual(d.layerTypes.map((t) => t[0]).join(''), 'f'.repeat(27) + 's')],
  ['ministral', 'mistral-7b-v0.1', (c) => { c.model_type = 'ministral'; c.num_hidden_layers = 3; c.layer_types = ['sliding_attention', 'full_attention', 'sliding_attention']; },
    (d) => assert.deepEqual(Object.keys(d.rope.byLayerType).sort(), ['full_attention', 'sliding_attention'])],
  ['ministral (implied)', 'mistral-7b-v0.1', (c) => { c.model_type = 'ministral'; c.num_hidden_layers = 2; },
    (d) => assert.deepEqual([...d.layerTypes], ['sliding_attention', 'sliding_attention'])],
  ['olmo', 'mistral-7b-v0.1', (c) => { c.model_type = 'olmo'; c.clip_qkv = 8; c.rope_theta = 30000; }, (d) => assert.equal(d.rope.byLayerType.default.theta, 30000)],
  ['codegen', 'gpt-j-6b', (c) => { c.model_type = 'codegen'; c.rotary_dim = 16; }, (d) => assert.equal(d.rope.byLayerType.default.rotaryDim, 16)],
  ['persimmon', 'mistral-7b-v0.1', (c) => { c.model_type = 'persimmon'; }, (d) => assert.equal(d.rope.byLayerType.default.rotaryDim, 64)],
  ['starcoder2', 'mistral-7b-v0.1', (c) => { c.model_type = 'starcoder2'; c.rope_theta = 1e5; }, (d) => assert.equal(d.rope.byLayerType.default.theta, 1e5)],
  ['granite', 'mistral-7b-v0.1', (c) => { c.model_type = 'granite'; c.attention_multiplier = 0.1; c.rope_theta = 1e7; }, (d) => assert.equal(d.rope.byLayerType.default.theta, 1e7)],
  ['internlm', 'mistral-7b-v0.1', (c) => { c.model_type = 'internlm'; c.bias = true; c.rope_theta = 40000; }, (d) => assert.equal(d.rope.byLayerType.default.theta, 40000)],
  ['internlm3', 'mistral-7b-v0.1', (c) => { c.model_type = 'internlm3'; c.rope_scaling = { rope_type: 'linear', factor: 2 }; },
    (d) => closeTo(d.rope.byLayerType.default, reference({ type: 'linear', theta: 10000, d: 128, factor: 2 }), 'internlm3')],
  ['bloom', 'bloom-560m', (c) => { c.n_head = 12; }, (d) => assert.equal(d.alibi.slopes.length, 12)],
  ['mpt', 'mpt-7b', (c) => { c.attn_config.alibi_bias_max = 16; }, (d) => assert.ok(Math.abs(d.alibi.slopes[0] - 2 ** -0.5) < 1e-15)],
  ['baichuan', 'baichuan2-13b-base', (c) => { c.hidden_size = 4096; c.num_attention_heads = 32; }, (d) => assert.equal(d.method, 'rope')],
  ['gpt2', 'gpt2', (c) => { c.n_positions = 2048; c.n_ctx = 2048; }, (d) => assert.equal(d.learned.maxPositions, 2048)],
  ['bert', 'bert-base-uncased', (c) => { c.max_position_embeddings = 1024; }, (d) => assert.equal(d.learned.maxPositions, 1024)],
  ['roberta', 'roberta-base', (c) => { c.pad_token_id = 0; }, (d) => assert.deepEqual([d.learned.offset, d.learned.maxPositions], [1, 513])],
  ['opt', 'opt-125m', (c) => { c.max_position_embeddings = 4096; }, (d) => assert.equal(d.learned.tableRows, 4098)],
  ['mt5', 'mt5-small', (c) => { c.relative_attention_max_distance = 256; }, (d) => assert.equal(d.t5.maxDistance, 256)],
  ['mt5', 'mt5-small', (c) => { c.relative_attention_num_buckets = 64; }, (d) => assert.equal(d.t5.numBuckets, 64)],
  ['m2m_100', 'm2m100-418m', (c) => { c.pad_token_id = 0; }, (d) => assert.equal(d.sinusoidal.offset, 1)],
  ['xlm-roberta', 'roberta-base', (c) => { c.model_type = 'xlm-roberta'; c.pad_token_id = 3; }, (d) => assert.equal(d.learned.offset, 4)],
  ['camembert', 'roberta-base', (c) => { c.model_type = 'camembert'; c.max_position_embeddings = 1026; }, (d) => assert.equal(d.learned.maxPositions, 1024)],
  ['bart', 'opt-125m', (c) => { c.model_type = 'bart'; c.max_position_embeddings = 1024; c.extra_pos_embeddings = 2; },
    (d) => { assert.deepEqual([d.learned.offset, d.learned.tableRows], [2, 1026]); assert.ok(d.ignoredKeys.some((e) => e.key === 'extra_pos_embeddings')); }],
  ['mbart', 'opt-125m', (c) => { c.model_type = 'mbart'; c.max_position_embeddings = 512; }, (d) => assert.equal(d.learned.tableRows, 514)],
  ['gpt_neo', 'opt-125m', (c) => { c.model_type = 'gpt_neo'; }, (d) => assert.deepEqual([d.learned.offset, d.learned.tableRows], [0, 2048])],
  ['gpt_bigcode', 'gpt2', (c) => { c.model_type = 'gpt_bigcode'; c.n_positions = 8192; c.n_ctx = 8192; }, (d) => assert.equal(d.learned.maxPositions, 8192)],
  ['t5', 'mt5-small', (c) => { c.model_type = 't5'; c.relative_attention_max_distance = 64; }, (d) => assert.equal(d.t5.maxDistance, 64)],
  ['umt5', 'mt5-small', (c) => { c.model_type = 'umt5'; c.relative_attention_num_buckets = 16; }, (d) => assert.equal(d.t5.numBuckets, 16)],
  ['switch_transformers', 'mt5-small', (c) => { c.model_type = 'switch_transformers'; c.relative_attention_num_buckets = 8; }, (d) => assert.equal(d.t5.numBuckets, 8)],
  ['fsmt', 'm2m100-418m', (c) => { c.model_type = 'fsmt'; c.pad_token_id = 5; }, (d) => assert.equal(d.sinusoidal.paddingIdx, 5)],
  ['speech_to_text', 'm2m100-418m', (c) => { c.model_type = 'speech_to_text'; c.max_source_positions = 6000; delete c.max_position_embeddings; },
    (d) => assert.equal(d.sinusoidal.maxPositions, 6000)],
  ['marian', 'm2m100-418m', (c) => { c.model_type = 'marian'; }, (d) => assert.deepEqual([d.sinusoidal.layout, d.sinusoidal.offset], ['marian', 0])],
  ['pegasus', 'm2m100-418m', (c) => { c.model_type = 'pegasus'; c.d_model = 512; }, (d) => assert.equal(d.sinusoidal.dim, 512)],
  ['distilbert', 'bert-base-uncased', (c) => { c.model_type = 'distilbert'; c.sinusoidal_pos_embds = true; delete c.position_embedding_type; },
    (d) => assert.equal(d.sinusoidal.layout, 'vaswani')],
];

test('one key of each family changes the answer (and the changed answer is the formula\'s)', () => {
  const seen = new Set();
  for (const [family, name, change, check] of KEY_CASES) {
    const before = cfg(name);
    const after = clone(before);
    change(after);
    seen.add((after.text_config ?? after).model_type).add(after.model_type);
    const a = pe.models.describe(before), b = pe.models.describe(after);
    assert.notEqual(summary(a), summary(b), `${family}: the change is seen`);
    check(b);
  }
  const missing = pe.models.modelTypes.filter((t) => !seen.has(t));
  assert.deepEqual(missing, [], 'every model_type posenc knows has a case');
});

// ---------------------------------------------------------------------------------------------
// Nothing ignored without being reported.

const ALL = ['llama-3.1-8b', 'mistral-7b-v0.1', 'mixtral-8x7b-v0.1', 'qwen2.5-7b-instruct', 'qwen3-8b', 'gemma-7b', 'gemma-2-9b',
  'gemma-3-1b-it', 'gemma-3-4b-it', 'gemma-3-270m', 'phi-2', 'pythia-6.9b', 'gpt-j-6b', 'falcon-7b', 'stablelm-2-zephyr-1.6b', 'deepseek-v3',
  'deepseek-v2-lite', 'chatglm3-6b', 'bloom-560m', 'baichuan2-13b-base', 'mpt-7b', 'gpt2', 'bert-base-uncased', 'roberta-base',
  'opt-125m', 'mt5-small', 'm2m100-418m', 'ministral3-defaults.v5', 'gemma-3-1b-it.v5', 'pythia-6.9b.v5', 'deepseek-v3.v5'];

test('every key not read is reported with a reason; an unknown positional key is a RangeError naming it', () => {
  for (const name of ALL) {
    const config = cfg(name);
    const d = pe.models.describe(config);
    const inner = config.text_config ? 'text_config.' : '';
    const keys = new Set([...Object.keys(config), ...Object.keys(config.text_config ?? {}).map((k) => inner + k),
      ...Object.keys(config.attn_config ?? {}).map((k) => `attn_config.${k}`)]);
    for (const { key, why } of d.ignoredKeys) {
      assert.ok(keys.has(key), `${name}: ignored key ${key} is a key of the config`);
      assert.ok(typeof why === 'string' && why.length > 10, `${name}: ${key} has a reason`);
    }
    assert.ok(d.ignoredKeys.some((e) => e.key === `${inner}vocab_size` || e.key === `${inner}padded_vocab_size`) || !('vocab_size' in (config.text_config ?? config)), `${name}: vocab_size reported`);
    // A key posenc does not know: reported if harmless by name, an error if its name suggests positions.
    const target = (c) => c.text_config ?? c;
    const harmless = clone(config);
    target(harmless).shiny_new_flag = true;
    assert.ok(pe.models.describe(harmless).ignoredKeys.some((e) => e.key === `${inner}shiny_new_flag`), `${name}: unknown key reported`);
    const positional = clone(config);
    target(positional).rope_warp_factor = 3;
    assert.throws(() => pe.models.describe(positional), (e) => e instanceof RangeError && e.message.includes('rope_warp_factor'), name);
  }
  // The keys the issue found ignored are read now, so they are not in ignoredKeys.
  const keysOf = (n) => pe.models.describe(cfg(n)).ignoredKeys.map((e) => e.key);
  for (const k of ['rotary_pct', 'rotary_emb_base']) assert.ok(!keysOf('pythia-6.9b').includes(k), k);
  for (const k of ['rope_local_base_freq', 'sliding_window_pattern']) assert.ok(!keysOf('gemma-3-1b-it').includes(k), k);
  assert.ok(!keysOf('deepseek-v3').includes('qk_rope_head_dim'));
  // rope.frequencies reports the same list.
  assert.deepEqual(pe.rope.frequencies(cfg('pythia-6.9b')).ignoredKeys.map((e) => e.key), keysOf('pythia-6.9b'));
});

test('the gallery: the fixtures\' published configs, each with its source', () => {
  const ids = pe.models.gallery.map((g) => g.id);
  assert.equal(new Set(ids).size, ids.length);
  assert.ok(pe.models.gallery.length >= 20);
  for (const g of pe.models.gallery) {
    const f = fixture(`configs/${g.id}.json`);
    assert.deepEqual(g.config, f.config, g.id);
    assert.equal(g.source, f.source);
    assert.match(g.source, /^huggingface\.co\/[^/]+\/[^/]+\/blob\/main\/config\.json$/);
    assert.equal(g.modelType, g.config.model_type);
    assert.ok(Object.isFrozen(g) && Object.isFrozen(g.config));
    pe.models.describe(g.config);  // each one reads without error
  }
});

test('bad configs and options give errors naming the key; the module keeps working', () => {
  const where = 'posenc.models.describe';
  expectErrors((a) => pe.models.describe(...a), where, [
    [[null], TypeError, 'config must be an object'],
    [[{ model_type: 7 }], TypeError, 'config.model_type must be a string'],
    [[cfg('gpt2'), { seqLen: -1 }], RangeError, 'seqLen'],
    [[cfg('gpt2'), { layer: 1 }], TypeError, 'unknown option "layer"'],
    [[{ ...cfg('pythia-6.9b'), rotary_pct: 2 }], RangeError, 'config.rotary_pct must be <= 1'],
    [[{ ...cfg('pythia-6.9b'), partial_rotary_factor: 0.5 }], RangeError, 'disagree'],
    [[{ ...cfg('gemma-3-1b-it'), layer_types: ['full_attention'] }], RangeError, 'layer_types has 1 entries for 26 layers'],
    [[{ ...cfg('deepseek-v3'), head_dim: 128 }], RangeError, 'qk_rope_head_dim'],
    [[{ ...cfg('bert-base-uncased'), position_embedding_type: 'relative_key' }], RangeError, 'position_embedding_type'],
    [[{ ...cfg('baichuan2-13b-base'), hidden_size: 2048 }], RangeError, 'hidden_size'],
    [[{ ...cfg('llama-3.1-8b'), rope_scaling: { ...cfg('llama-3.1-8b').rope_scaling, llama_4_scaling_beta: 0.1 } }], RangeError, 'llama_4_scaling_beta is not a key'],
    [[{ ...cfg('mpt-7b'), attn_config: { alibi: false } }], RangeError, 'attn_config.alibi'],
    [[{ ...cfg('gemma-3-1b-it'), num_hidden_layers: 2 ** 40 }], RangeError, 'num_hidden_layers must be an integer <= 100000'],
    [[{ ...cfg('gemma-3-1b-it'), sliding_window_pattern: 0 }], RangeError, 'sliding_window_pattern must be an integer >= 1'],
    [[{ model_type: 'qwen', hidden_size: 4096, num_attention_heads: 32, use_dynamic_ntk: true }], RangeError, 'config.use_dynamic_ntk is not understood'],
    [[{ model_type: 'deberta', hidden_size: 768, num_attention_heads: 12, pos_att_type: ['c2p'] }], RangeError, 'config.pos_att_type is not understood'],
    [[{ ...cfg('gemma-3-270m'), _sliding_window_pattern: 3 }], RangeError, 'layer_types and config._sliding_window_pattern (3) disagree'],
    [[{ ...cfg('mistral-7b-v0.1'), model_type: 'smollm3', no_rope_layers: [1, 2] }], TypeError, 'no_rope_layers must be an array of 0/1'],
    [[{ ...cfg('gemma-3-1b-it.v5'), rope_parameters: { full_attention: { rope_theta: 1e6 } } }], RangeError, "no entry for layer type 'sliding_attention'"],
  ]);
  expectErrors((a) => pe.rope.frequencies(...a), 'posenc.rope.frequencies', [
    [[cfg('gemma-3-1b-it')], RangeError, 'pass options.layerType'],
    [[cfg('gemma-3-1b-it'), { layerType: 'local' }], RangeError, "layerType must be one of 'sliding_attention', 'full_attention'"],
    [[cfg('bloom-560m')], RangeError, 'alibi, not RoPE'],
    [[{ ...cfg('mistral-7b-v0.1'), model_type: 'cohere2', num_hidden_layers: 4 }, { layerType: 'full_attention' }], RangeError, 'use no RoPE'],
  ]);
  assert.equal(pe.models.describe(cfg('gpt2')).method, 'learned');
});

test('a config without model_type reads as before, and an unknown model_type is reported', () => {
  const d = pe.models.describe({ hidden_size: 4096, num_attention_heads: 32, rope_theta: 500000 });
  assert.equal(d.family, 'generic');
  assert.equal(d.modelType, null);
  closeTo(d.rope.byLayerType.default, reference({ theta: 500000, d: 128 }), 'generic');
  const u = pe.models.describe({ model_type: 'brand_new', head_dim: 64 });
  assert.equal(u.family, 'generic');
  assert.equal(u.modelType, 'brand_new');
  assert.ok(u.ignoredKeys.some((e) => e.key === 'model_type' && e.why.includes('generic')));
});
