// SPDX-License-Identifier: MIT
// pe.models: how a model encodes positions, read from its config.json (lib/families.js reads the
// keys as transformers' configuration classes do; the numbers come from the core through pe.rope and
// the ALiBi slopes).
import { data, integer, options } from './args.js';
import { GALLERY } from './gallery.js';
import { KNOWN_MODEL_TYPES, readConfig } from './families.js';
import { frequencies } from './rope.js';
import { MAX_POSITION, call } from './runtime.js';
import { MAX_HEADS } from './nope.js';

/** The members this module adds to the library object. */
export function bind(mod) {
  return {
    models: {
      describe: (config, opts) => describe(mod, config, opts),
      gallery: GALLERY,
      modelTypes: Object.freeze(KNOWN_MODEL_TYPES.slice()),
    },
  };
}

// MPT's slopes (transformers' build_mpt_alibi_tensor): with n' = 2^ceil(log2 n), slope_k =
// 2^(-(k + 1) * alibiBiasMax / n') for k < n'; when n' != n, the odd-indexed then the even-indexed
// ones, first n. With alibi_bias_max 8 and n a power of two these are the paper's slopes.
function mptSlopes(heads, biasMax) {
  const p = 2 ** Math.ceil(Math.log2(heads));
  const all = Array.from({ length: p }, (_, k) => 2 ** (-(k + 1) * (biasMax / p)));
  const order = p === heads ? all : [...all.filter((_, k) => k % 2 === 1), ...all.filter((_, k) => k % 2 === 0)];
  return Float64Array.from(order.slice(0, heads));
}

// Where a family's convention comes from, as a path in transformers or the model repository.
function sourceOf(s) {
  if (s.startsWith('the model repository')) return s;
  return s.startsWith('modeling_rope_utils') ? `transformers: src/transformers/${s}` : `transformers: src/transformers/models/${s}`;
}

function describe(mod, config, opts = {}) {
  const where = 'posenc.models.describe';
  const o = options(where, opts, ['seqLen']);
  const seqLen = integer(where, 'seqLen', o.seqLen, { min: 0, max: MAX_POSITION + 1, fallback: 0 });
  const info = readConfig(where, data(where, 'config', config));  // own properties only, read once
  const out = {
    modelType: info.modelType,
    family: info.family,
    source: sourceOf(info.source),
    method: info.method,
    contextLength: info.contextLength,
    layers: info.layers,
    heads: info.heads,
    headDim: info.headDim,
    layerTypes: info.layerTypes ? Object.freeze(info.layerTypes.slice()) : null,
    ignoredKeys: Object.freeze(info.ignoredKeys.map((e) => Object.freeze({ ...e }))),
  };
  if (info.method === 'rope') {
    const byLayerType = {};
    // Each layer type the config declares (or, without layer_types, each key of a per-type rope_parameters).
    const types = info.layerTypes ? [...new Set(info.layerTypes)] : [...info.rope.sections.keys()];
    for (const t of types) {
      if (info.rope.noRopeTypes.includes(t)) continue;
      try {
        byLayerType[t] = frequencies(mod, config, { seqLen, ...(t === 'default' ? {} : { layerType: t }) });
      } catch (e) {
        e.message = e.message.replace('posenc.rope.frequencies', where);
        throw e;
      }
    }
    out.rope = Object.freeze({ layout: info.rope.layout, byLayerType: Object.freeze(byLayerType),
      noRopeLayers: Object.freeze(info.rope.noRopeLayers.slice()) });
  } else if (info.method === 'alibi') {
    const n = info.alibi.heads;
    if (n > MAX_HEADS) throw new RangeError(`${where}: ALiBi for ${n} heads exceeds the ${MAX_HEADS}-head limit`);
    const slopes = info.alibi.form === 'mpt' && !(info.alibi.biasMax === 8 && (n & (n - 1)) === 0)
      ? mptSlopes(n, info.alibi.biasMax)
      : call(mod, where, [], [[Float64Array, n]], (s) => mod.alibiSlopesFloat64(s, n))[0];
    out.alibi = Object.freeze({ heads: n, slopes, form: info.alibi.form, alibiBiasMax: info.alibi.biasMax });
  } else if (info.method === 'learned') {
    out.learned = Object.freeze({ ...info.learned });
  } else if (info.method === 't5') {
    out.t5 = Object.freeze({ ...info.t5 });
  } else if (info.method === 'sinusoidal') {
    out.sinusoidal = Object.freeze({ ...info.sinusoidal });
  }
  return Object.freeze(out);
}

