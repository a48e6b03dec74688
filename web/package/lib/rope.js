// SPDX-License-Identifier: MIT
// pe.rope and pe.xpos (C++: src/posenc/rope.hpp). The Hugging Face config reading lives here; the
// frequencies, caches and rotations are computed by the core.
import { bool, data as configData, describe, doubles, floats, integer, ints, isRecord, number, oneOf, options, outTarget, record, relabel, tuple } from './args.js';
import { MAX_OUTPUT_BYTES, MAX_POSITION, call } from './runtime.js';
import { readConfig } from './families.js';

const TYPES = ['default', 'linear', 'ntk', 'dynamic', 'yarn', 'longrope', 'llama3'];
const LAYOUTS = ['half', 'interleaved'];

// Keys each rope_type reads in rope_scaling / rope_parameters, besides rope_type/type, rope_theta and
// partial_rotary_factor (Hugging Face's modeling_rope_utils.py).
const SCALING_KEYS = {
  default: [],
  linear: ['factor'],
  ntk: ['factor'],
  // HF's dynamic accepts this key but reads max_position_embeddings: accepted and, as in HF, unused.
  dynamic: ['factor', 'original_max_position_embeddings'],
  yarn: ['factor', 'attention_factor', 'beta_fast', 'beta_slow', 'mscale', 'mscale_all_dim', 'truncate',
    'original_max_position_embeddings'],
  longrope: ['short_factor', 'long_factor', 'factor', 'attention_factor', 'original_max_position_embeddings'],
  llama3: ['factor', 'low_freq_factor', 'high_freq_factor', 'original_max_position_embeddings'],
};
const REQUIRED = {
  linear: ['factor'],
  ntk: ['factor'],
  dynamic: ['factor'],
  longrope: ['short_factor', 'long_factor'],
  llama3: ['factor', 'low_freq_factor', 'high_freq_factor', 'original_max_position_embeddings'],
};
const COMMON_KEYS = ['rope_type', 'type', 'rope_theta', 'partial_rotary_factor'];


/** The members this module adds to the library object. */
export function bind(mod) {
  return {
    rope: {
      frequencies: (config, opts) => frequencies(mod, config, opts),
      cache: (opts) => cache(mod, opts),
      apply: (x, opts) => apply(mod, x, opts, 'posenc.rope.apply', false, false),
      inverse: (x, opts) => apply(mod, x, opts, 'posenc.rope.inverse', false, true),
      wavelengths: (freqs) => wavelengths(mod, freqs),
      types: TYPES,
      layouts: LAYOUTS,
    },
    xpos: {
      apply: (x, opts) => apply(mod, x, opts, 'posenc.xpos.apply', true, false),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Reading a Hugging Face config.

/**
 * The RoPE section a layer type uses, after the family's conventions (lib/families.js). Without
 * layerType the config must have one RoPE for all its layers.
 */
function pickSection(where, info, layerType) {
  const { sections, noRopeTypes } = info.rope;
  const keys = [...sections.keys()];
  const types = info.layerTypes ? [...new Set(info.layerTypes)] : null;
  if (layerType === undefined) {
    const usable = keys.filter((k) => !noRopeTypes.includes(k));
    if (usable.length === 1) return sections.get(usable[0]);
    throw new RangeError(`${where}: the config gives RoPE per layer type (${usable.join(', ')}): pass options.layerType`);
  }
  if (noRopeTypes.includes(layerType) && (types === null || types.includes(layerType))) {
    throw new RangeError(`${where}: layers of type '${layerType}' use no RoPE in the '${info.rope.family}' family`);
  }
  if (sections.has(layerType)) return sections.get(layerType);
  if (types && types.includes(layerType) && sections.has('default')) return sections.get('default');
  if (!types && !info.rope.nested) {
    throw new RangeError(`${where}: layerType is given but ${sections.get('default').name} is not keyed by layer type`);
  }
  const all = [...new Set([...(types ?? []), ...keys.filter((k) => k !== 'default')])].filter((k) => !noRopeTypes.includes(k));
  throw new RangeError(`${where}: layerType must be one of ${all.map((k) => `'${k}'`).join(', ')}, got ${describe(layerType)}`);
}

function parseConfig(where, config, layerType) {
  const info = readConfig(where, configData(where, 'config', config));  // own properties only, read once
  if (info.method !== 'rope') {
    throw new RangeError(`${where}: config.model_type ${describe(info.modelType)} encodes positions with ${info.method}, not RoPE (pe.models.describe reads it)`);
  }
  const { name, section, thetaName, partialName } = pickSection(where, info, layerType);
  const extraKeys = info.rope.extraKeys;

  const ropeType = oneOf(where, `${name}.rope_type`, section.rope_type, TYPES);
  const allowed = [...COMMON_KEYS, ...SCALING_KEYS[ropeType], ...extraKeys];
  for (const key of Object.keys(section)) {
    if (!allowed.includes(key)) {
      throw new RangeError(`${where}: ${name}.${key} is not a key of rope_type '${ropeType}' (expected ${allowed.filter((k) => k !== 'type').join(', ')})`);
    }
  }
  for (const key of REQUIRED[ropeType] ?? []) {
    if (section[key] === undefined || section[key] === null) {
      throw new RangeError(`${where}: ${name}.${key} is required by rope_type '${ropeType}'`);
    }
  }

  const num = (key, value, bounds) => (value === undefined || value === null ? undefined : number(where, key, value, bounds));
  const int = (key, value) => (value === undefined || value === null ? 0 : integer(where, key, value, { min: 1, max: 2 ** 40 }));
  const headDim = info.rope.headDim;
  const theta = num(thetaName, section.rope_theta, { above: 1 });
  const partial = num(partialName, section.partial_rotary_factor, { above: 0, max: 1 });
  const rotaryDim = Math.trunc(headDim * partial);
  if (rotaryDim < 2 || rotaryDim % 2 !== 0) {
    throw new RangeError(`${where}: ${partialName} gives ${rotaryDim} rotary dimensions (int(head_dim * partial_rotary_factor)); it must be even and >= 2`);
  }
  // Keys a family lets rope_parameters carry (e.g. Ministral 3's max_position_embeddings).
  if (section.max_position_embeddings !== undefined && section.max_position_embeddings !== info.contextLength) {
    throw new RangeError(`${where}: ${name}.max_position_embeddings (${describe(section.max_position_embeddings)}) and the config's max_position_embeddings (${describe(info.contextLength)}) disagree`);
  }
  const factors = (key) => {
    if (section[key] === undefined) return new Float64Array(0);
    return doubles(where, `${name}.${key}`, section[key], { length: rotaryDim / 2 });
  };
  // HF: `rope_scaling.get("beta_fast") or 32`, so null and 0 mean the default.
  const orDefault = (key, fallback) => num(`${name}.${key}`, section[key] || undefined, {}) ?? fallback;
  return {
    info,
    ropeType,
    headDim,
    rotaryDim,
    theta,
    partial,
    maxPositionEmbeddings: info.rope.maxPositionEmbeddings,
    factor: num(`${name}.factor`, section.factor, {}) ?? NaN,
    attentionFactor: num(`${name}.attention_factor`, section.attention_factor, {}) ?? NaN,
    betaFast: orDefault('beta_fast', 32),
    betaSlow: orDefault('beta_slow', 1),
    mscale: orDefault('mscale', 0),
    mscaleAllDim: orDefault('mscale_all_dim', 0),
    truncate: section.truncate === undefined || section.truncate === null ? true : bool(where, `${name}.truncate`, section.truncate),
    lowFreqFactor: num(`${name}.low_freq_factor`, section.low_freq_factor, {}) ?? 1,
    highFreqFactor: num(`${name}.high_freq_factor`, section.high_freq_factor, {}) ?? 4,
    originalMax: int(`${name}.original_max_position_embeddings`, section.original_max_position_embeddings),
    shortFactor: factors('short_factor'),
    longFactor: factors('long_factor'),
    llama4ScalingBeta: num(`${name}.llama_4_scaling_beta`, section.llama_4_scaling_beta, { min: 0 }) ?? null,
  };
}

export function frequencies(mod, config, opts = {}) {
  const where = 'posenc.rope.frequencies';
  const o = options(where, opts, ['seqLen', 'layerType']);
  const seqLen = integer(where, 'seqLen', o.seqLen, { min: 0, max: MAX_POSITION + 1, fallback: 0 });
  if (o.layerType !== undefined && typeof o.layerType !== 'string') {
    throw new TypeError(`${where}: layerType must be a string, got ${describe(o.layerType)}`);
  }
  const c = parseConfig(where, config, o.layerType);
  const h = c.rotaryDim / 2;
  const n = c.shortFactor.length;
  const [invFreq, af] = call(mod, where, [c.shortFactor, c.longFactor], [[Float64Array, h], [Float64Array, 1]],
    (shortF, longF, inv, afOut) => mod.ropeFrequencies(inv, h, afOut, c.headDim, c.theta, c.partial,
      c.maxPositionEmbeddings, TYPES.indexOf(c.ropeType), c.factor, c.attentionFactor, c.betaFast, c.betaSlow,
      c.mscale, c.mscaleAllDim, c.truncate, c.lowFreqFactor, c.highFreqFactor, c.originalMax, shortF, longF, n,
      seqLen));
  return Object.freeze({
    ropeType: c.ropeType,
    headDim: c.headDim,
    rotaryDim: c.rotaryDim,
    theta: c.theta,
    seqLen,
    invFreq,
    attentionFactor: af[0],
    layout: c.info.rope.layout,
    // Ministral 3 / Llama 4: queries are scaled by 1 + beta * ln(1 + floor(position / original)).
    llama4Scaling: c.llama4ScalingBeta === null ? null
      : Object.freeze({ beta: c.llama4ScalingBeta, originalMaxPositionEmbeddings: c.originalMax }),
    ignoredKeys: Object.freeze(c.info.ignoredKeys.map((e) => Object.freeze(e))),
  });
}

// ---------------------------------------------------------------------------------------------
// Using frequencies.

/** A frequencies object (as returned by frequencies()), checked. */
export function checkFrequencies(where, frequenciesObject) {
  if (!isRecord(frequenciesObject)) {
    throw new TypeError(`${where}: frequencies must be the object pe.rope.frequencies() returns, got ${describe(frequenciesObject)}`);
  }
  const f = record(where, frequenciesObject, 'frequencies');
  const invFreq = doubles(where, 'frequencies.invFreq', f.invFreq);
  if (invFreq.length < 1 || invFreq.length > 4096) throw new RangeError(`${where}: frequencies.invFreq must have 1 to 4096 entries`);
  const attentionFactor = number(where, 'frequencies.attentionFactor', f.attentionFactor ?? 1, { above: 0, max: 1000 });
  const headDim = f.headDim === undefined ? undefined : integer(where, 'frequencies.headDim', f.headDim, { min: 2, max: 8192 });
  return { invFreq, attentionFactor, headDim };
}

/** Default RoPE frequencies for `headDim` (xPos without frequencies); `name` is the caller's parameter for headDim. */
export function defaultFrequencies(mod, where, name, headDim, theta) {
  if (headDim % 2 !== 0) throw new RangeError(`${where}: ${name} must be even for rotary frequencies made from theta, got ${headDim}`);
  return checkFrequencies(where, relabel(where, 'posenc.rope.frequencies', () => frequencies(mod, { head_dim: headDim, rope_theta: theta })));
}

function positionsOf(where, o, count) {
  if (o.positions !== undefined) {
    if (o.offset !== undefined) throw new RangeError(`${where}: give positions or offset, not both`);
    return { positions: ints(where, 'positions', o.positions, { length: count, min: 0, max: MAX_POSITION }), offset: 0 };
  }
  const offset = integer(where, 'offset', o.offset, { min: 0, max: MAX_POSITION, fallback: 0 });
  if (offset + count - 1 > MAX_POSITION) throw new RangeError(`${where}: offset + ${count - 1} exceeds the largest position, 2^24`);
  return { positions: new Int32Array(0), offset };
}

function cache(mod, opts) {
  const where = 'posenc.rope.cache';
  const o = options(where, opts, ['frequencies', 'length', 'offset', 'positions']);
  const f = checkFrequencies(where, o.frequencies);
  const length = o.positions !== undefined && o.length === undefined
    ? ints(where, 'positions', o.positions, { maxLength: MAX_POSITION + 1 }).length
    : integer(where, 'length', o.length, { min: 1, max: MAX_POSITION + 1 });
  if (length < 1) throw new RangeError(`${where}: positions must not be empty`);
  const h = f.invFreq.length;
  if (length * h * 8 > MAX_OUTPUT_BYTES) throw new RangeError(`${where}: length * rotaryDim/2 exceeds the 256 MiB output limit`);
  const { positions, offset } = positionsOf(where, o, length);
  const [cos, sin] = call(mod, where, [f.invFreq, positions], [[Float32Array, length * h], [Float32Array, length * h]],
    (inv, pos, cosOut, sinOut) => mod.ropeCache(inv, h, f.attentionFactor, pos, positions.length, offset, length, cosOut, sinOut));
  return { cos, sin };
}

function checkShape(where, shape) {
  const [seq, heads, headDim] = tuple(where, 'shape', shape, 3, '[seq, heads, headDim]')
    .map((v, i) => integer(where, `shape[${i}]`, v, { min: 1 }));
  if (headDim < 2 || headDim > 8192) throw new RangeError(`${where}: shape[2] (headDim) must be in [2, 8192], got ${headDim}`);
  if (seq * heads * headDim * 4 > MAX_OUTPUT_BYTES) throw new RangeError(`${where}: shape exceeds the 256 MiB limit`);
  return [seq, heads, headDim];
}

// rope.apply / rope.inverse (`inverse` fixed by the caller) and xpos.apply (`inverse` an option).
function apply(mod, x, opts, where, xpos, inverseRope) {
  const keys = ['shape', 'frequencies', 'positions', 'offset', 'layout', 'out'];
  const o = options(where, opts, xpos ? [...keys, 'inverse', 'role', 'gamma', 'scaleBase', 'center', 'theta'] : keys);
  const [seq, heads, headDim] = checkShape(where, o.shape);
  // A float32 tensor is rotated where it lives; NaN/infinity is found by the kernel (below).
  const data = floats(where, 'x', x, { length: seq * heads * headDim, finite: false, resident: true });
  const target = outTarget(where, o.out, Float32Array, data.length);  // out: x rotates in place
  let f;
  if (xpos && o.frequencies === undefined) {
    const theta = number(where, 'theta', o.theta, { above: 1, fallback: 10000 });
    f = defaultFrequencies(mod, where, 'shape[2] (headDim)', headDim, theta);
  } else {
    if (xpos && o.theta !== undefined) throw new RangeError(`${where}: give frequencies or theta, not both`);
    f = checkFrequencies(where, o.frequencies);
  }
  if (f.headDim !== undefined && f.headDim !== headDim) {
    throw new RangeError(`${where}: shape[2] (${headDim}) differs from frequencies.headDim (${f.headDim})`);
  }
  if (2 * f.invFreq.length > headDim) {
    throw new RangeError(`${where}: frequencies.invFreq (${f.invFreq.length} entries) gives a rotary dimension of ${2 * f.invFreq.length}, more than shape[2] (${headDim})`);
  }
  const layout = oneOf(where, 'layout', o.layout, LAYOUTS, xpos ? 'interleaved' : 'half');
  const inverse = xpos ? bool(where, 'inverse', o.inverse, false) : inverseRope;
  const { positions, offset } = positionsOf(where, o, seq);
  const role = xpos ? oneOf(where, 'role', o.role, ['query', 'key']) : 'query';
  const gamma = xpos ? number(where, 'gamma', o.gamma, { above: 0, fallback: 0.4 }) : 0.4;
  const scaleBase = xpos ? number(where, 'scaleBase', o.scaleBase, { above: 0, fallback: 512 }) : 512;
  const center = xpos && o.center !== undefined ? number(where, 'center', o.center) : NaN;
  const n = data.length, h = f.invFreq.length;
  // x is copied straight into the output buffer (out itself when given), which the core rotates in
  // place, checking each row for NaN/infinity just before rotating it (no separate pass).
  const [out] = call(mod, where, [f.invFreq, positions], [[Float32Array, n, data, { kernel: 'x' }, target]],
    (inv, pos, xOut) => mod.ropeApply(xOut, n, seq, heads, headDim, LAYOUTS.indexOf(layout), inverse, offset, inv, h,
      f.attentionFactor, pos, positions.length, xpos, role === 'key', gamma, scaleBase, center, true));
  return out;
}

function wavelengths(mod, freqs) {
  const where = 'posenc.rope.wavelengths';
  const f = checkFrequencies(where, freqs);
  const h = f.invFreq.length;
  const bad = f.invFreq.findIndex((w) => !(w >= 0) || Object.is(w, -0));
  if (bad >= 0) throw new RangeError(`${where}: frequencies.invFreq[${bad}] must be >= 0 (a wavelength is 2 pi / invFreq), got ${describe(f.invFreq[bad])}`);
  return call(mod, where, [f.invFreq], [[Float64Array, h]], (inv, out) => mod.ropeWavelengths(inv, h, out))[0];
}
