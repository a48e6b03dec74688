// SPDX-License-Identifier: MIT
// pe.attention() (C++: src/posenc/attention.hpp): multi-head attention with any position method.
import { bool, describe, floats, integer, isList, isRecord, number, oneOf, options, outTarget, own, record, relabel, tuple } from './args.js';
import { MAX_OUTPUT_BYTES, MAX_POSITION, call } from './runtime.js';
import { checkFrequencies, defaultFrequencies } from './rope.js';
import { sinusoidal } from './sinusoidal.js';
import { bucketOptions } from './t5.js';

const WHERE = 'posenc.attention';
// Numbering shared with the core's PositionMethod (learned and sinusoidal tables are both 'absolute').
const CODE = { none: 0, learned: 1, sinusoidal: 1, rope: 2, xpos: 3, alibi: 4, t5: 5, kerple: 6, shaw: 7 };
const POSITION_KEYS = {
  none: [],
  sinusoidal: ['base', 'layout'],
  learned: ['table'],
  rope: ['frequencies', 'layout'],
  xpos: ['frequencies', 'theta', 'gamma', 'scaleBase', 'layout'],
  alibi: [],
  t5: ['table', 'bidirectional', 'numBuckets', 'maxDistance'],
  kerple: ['r1', 'r2', 'variant'],
  shaw: ['tableK', 'tableV', 'maxDistance'],
};
// Keys a method cannot do without (a bare method name such as 'rope' gets a hint naming them).
const REQUIRED_KEYS = own({ learned: ['table'], rope: ['frequencies'], t5: ['table'], kerple: ['r1', 'r2'], shaw: ['tableK', 'tableV', 'maxDistance'] });
const HINTS = own({ rope: ' (frequencies: pe.rope.frequencies(config))' });
// Order of the settings array (bindings/attention.cpp, AttentionSlot).
const SLOTS = ['queries', 'keys', 'heads', 'headDim', 'queryOffset', 'causal', 'scale', 'streaming', 'method',
  'layout', 'attentionFactor', 'xposGamma', 'xposScaleBase', 't5Bidirectional', 't5NumBuckets', 't5MaxDistance',
  'kerpleVariant', 'shawMaxDistance'];
const STREAMING_FROM_KEYS = 2048;  // 'auto': stream long sequences (weights are not asked for)

export function bind(mod) {
  return {
    attention: (opts) => attention(mod, opts),
  };
}

function readShape(shape) {
  if (isList(shape)) {
    const [seq, heads, headDim] = tuple(WHERE, 'shape', shape, 3, '[seq, heads, headDim] or { queries, keys, heads, headDim }')
      .map((x, i) => integer(WHERE, `shape[${i}]`, x, { min: 1 }));
    return { queries: seq, keys: seq, heads, headDim };
  }
  const s = options(WHERE, shape, ['queries', 'keys', 'heads', 'headDim'], 'shape');
  const queries = integer(WHERE, 'shape.queries', s.queries, { min: 1 });
  return {
    queries,
    keys: integer(WHERE, 'shape.keys', s.keys, { min: 1, fallback: queries }),
    heads: integer(WHERE, 'shape.heads', s.heads, { min: 1 }),
    headDim: integer(WHERE, 'shape.headDim', s.headDim, { min: 1, max: 8192 }),
  };
}

/** Settings and arrays for one position descriptor. */
function readPosition(mod, position, shape, queryOffset) {
  if (typeof position !== 'string' && position !== undefined && !isRecord(position)) {
    throw new TypeError(`${WHERE}: position must be a method name or { method, ... }, got ${describe(position)}`);
  }
  const given = typeof position === 'string' || position === undefined ? { method: position ?? 'none' }
    : record(WHERE, position, 'position', ['method', ...Object.values(POSITION_KEYS).flat()]);
  const method = oneOf(WHERE, 'position.method', given.method, Object.keys(POSITION_KEYS));
  const pos = options(WHERE, given, ['method', ...POSITION_KEYS[method]], 'position');
  const missing = (REQUIRED_KEYS[method] ?? []).filter((key) => pos[key] === undefined);
  if (missing.length > 0) {
    throw new TypeError(`${WHERE}: position '${method}' needs ${missing.join(', ')}: pass position: { method: '${method}', ${missing.join(', ')} }${HINTS[method] ?? ''}`);
  }
  const { heads, headDim, keys, queries } = shape;
  const lastPosition = Math.max(keys - 1, queryOffset + queries - 1);
  const s = { method: CODE[method], layout: 0, attentionFactor: 1, xposGamma: 0.4, xposScaleBase: 512,
    t5Bidirectional: 1, t5NumBuckets: 32, t5MaxDistance: 128, kerpleVariant: 0, shawMaxDistance: 0 };
  const arrays = { table: new Float32Array(0), invFreq: new Float64Array(0), t5Table: new Float32Array(0),
    r1: new Float32Array(0), r2: new Float32Array(0), shawK: new Float32Array(0), shawV: new Float32Array(0) };
  const layoutOf = (fallback) => ['half', 'interleaved'].indexOf(oneOf(WHERE, 'position.layout', pos.layout, ['half', 'interleaved'], fallback));
  switch (method) {
    case 'sinusoidal': {
      const base = number(WHERE, 'position.base', pos.base, { above: 0, fallback: 10000 });
      const layout = oneOf(WHERE, 'position.layout', pos.layout, ['vaswani', 'fairseq'], 'vaswani');
      if (layout === 'fairseq' && headDim < 4) throw new RangeError(`${WHERE}: position.layout 'fairseq' needs headDim >= 4, got ${headDim}`);
      if ((lastPosition + 1) * headDim * 4 > MAX_OUTPUT_BYTES) {
        throw new RangeError(`${WHERE}: the sinusoidal table (last position ${lastPosition} + 1 rows of headDim ${headDim}) exceeds 256 MiB`);
      }
      arrays.table = relabel(WHERE, 'posenc.sinusoidal', () => sinusoidal(mod, { length: lastPosition + 1, dim: headDim, base, layout }));
      break;
    }
    case 'learned':
      arrays.table = floats(WHERE, 'position.table', pos.table);
      if (arrays.table.length % headDim !== 0) throw new RangeError(`${WHERE}: position.table must hold rows * headDim (${headDim}) floats`);
      if (arrays.table.length / headDim <= lastPosition) {
        throw new RangeError(`${WHERE}: position.table has ${arrays.table.length / headDim} rows; position ${lastPosition} has none (a learned table has a hard length)`);
      }
      break;
    case 'rope': {
      const f = checkFrequencies(WHERE, pos.frequencies);
      if (2 * f.invFreq.length > headDim) throw new RangeError(`${WHERE}: position.frequencies.invFreq (${f.invFreq.length} entries) gives a rotary dimension of ${2 * f.invFreq.length}, more than headDim (${headDim})`);
      arrays.invFreq = f.invFreq;
      s.attentionFactor = f.attentionFactor;
      s.layout = layoutOf('half');
      break;
    }
    case 'xpos': {
      if (pos.frequencies !== undefined && pos.theta !== undefined) throw new RangeError(`${WHERE}: give position.frequencies or position.theta, not both`);
      const f = pos.frequencies !== undefined
        ? checkFrequencies(WHERE, pos.frequencies)
        : defaultFrequencies(mod, WHERE, 'headDim', headDim, number(WHERE, 'position.theta', pos.theta, { above: 1, fallback: 10000 }));
      if (2 * f.invFreq.length > headDim) throw new RangeError(`${WHERE}: position.frequencies.invFreq (${f.invFreq.length} entries) gives a rotary dimension of ${2 * f.invFreq.length}, more than headDim (${headDim})`);
      arrays.invFreq = f.invFreq;
      s.attentionFactor = f.attentionFactor;
      s.layout = layoutOf('interleaved');
      s.xposGamma = number(WHERE, 'position.gamma', pos.gamma, { above: 0, fallback: 0.4 });
      s.xposScaleBase = number(WHERE, 'position.scaleBase', pos.scaleBase, { above: 0, fallback: 512 });
      break;
    }
    case 't5': {
      const b = bucketOptions(WHERE, pos, 'position.');
      Object.assign(s, { t5NumBuckets: b.numBuckets, t5MaxDistance: b.maxDistance, t5Bidirectional: b.bidirectional ? 1 : 0 });
      arrays.t5Table = floats(WHERE, 'position.table', pos.table, { length: s.t5NumBuckets * heads });
      break;
    }
    case 'kerple': {
      const perHead = (name) => {
        const v = pos[name];
        const arr = typeof v === 'number' ? new Float32Array(heads).fill(number(WHERE, `position.${name}`, v, { above: 0 })) : floats(WHERE, `position.${name}`, v, { length: heads });
        arr.forEach((x, i) => { if (!(x > 0)) throw new RangeError(`${WHERE}: position.${name}[${i}] must be > 0`); });
        return arr;
      };
      arrays.r1 = perHead('r1');
      arrays.r2 = perHead('r2');
      s.kerpleVariant = ['log', 'power'].indexOf(oneOf(WHERE, 'position.variant', pos.variant, ['log', 'power'], 'log'));
      if (s.kerpleVariant === 1) arrays.r2.forEach((x, i) => { if (x > 2) throw new RangeError(`${WHERE}: position.r2[${i}] must be <= 2 for the power variant`); });
      break;
    }
    case 'shaw': {
      s.shawMaxDistance = integer(WHERE, 'position.maxDistance', pos.maxDistance, { min: 0, max: 2 ** 20 });
      const rows = 2 * s.shawMaxDistance + 1;
      arrays.shawK = floats(WHERE, 'position.tableK', pos.tableK, { length: rows * headDim });
      arrays.shawV = floats(WHERE, 'position.tableV', pos.tableV, { length: rows * headDim });
      break;
    }
    default:
      break;
  }
  return { settings: s, arrays };
}

function attention(mod, opts) {
  const o = options(WHERE, opts, ['q', 'k', 'v', 'shape', 'position', 'causal', 'returnWeights', 'streaming', 'queryOffset', 'scale', 'out']);
  const shape = readShape(o.shape);
  const { queries, keys, heads, headDim } = shape;
  const row = heads * headDim;
  if (Math.max(queries, keys) * row * 4 > MAX_OUTPUT_BYTES) throw new RangeError(`${WHERE}: q, k and v are limited to 256 MiB each`);
  if (keys - 1 > MAX_POSITION) throw new RangeError(`${WHERE}: keys exceed 2^24 + 1 positions`);
  // NaN/infinity in q, k, v is found by a SIMD scan once they are in the module (call() below);
  // tensors are read where they live.
  const q = floats(WHERE, 'q', o.q, { length: queries * row, finite: false, resident: true });
  const k = floats(WHERE, 'k', o.k, { length: keys * row, finite: false, resident: true });
  const v = floats(WHERE, 'v', o.v, { length: keys * row, finite: false, resident: true });
  const target = outTarget(WHERE, o.out, Float32Array, queries * row);
  const causal = bool(WHERE, 'causal', o.causal, false);
  const returnWeights = bool(WHERE, 'returnWeights', o.returnWeights, false);
  let queryOffset;
  if (o.queryOffset === undefined) {
    queryOffset = keys - queries;
    if (queryOffset < 0) throw new RangeError(`${WHERE}: queryOffset is required when there are more queries (${queries}) than keys (${keys})`);
  } else {
    queryOffset = integer(WHERE, 'queryOffset', o.queryOffset, { min: 0, max: MAX_POSITION - queries + 1 });
  }
  const scale = o.scale === undefined ? NaN : number(WHERE, 'scale', o.scale, { above: 0 });
  let streaming = o.streaming ?? 'auto';
  if (streaming !== 'auto') streaming = bool(WHERE, 'streaming', streaming);
  if (streaming === true && returnWeights) throw new RangeError(`${WHERE}: returnWeights needs streaming: false (the streaming path never forms the weights)`);
  if (streaming === 'auto') streaming = !returnWeights && keys >= STREAMING_FROM_KEYS;
  if (returnWeights && heads * queries * keys * 4 > MAX_OUTPUT_BYTES) {
    throw new RangeError(`${WHERE}: the weights (heads * queries * keys) would exceed 256 MiB; use returnWeights: false`);
  }
  const { settings, arrays } = readPosition(mod, o.position, shape, queryOffset);
  const all = { queries, keys, heads, headDim, queryOffset, causal: causal ? 1 : 0, scale, streaming: streaming ? 1 : 0, ...settings };
  const settingsArray = Float64Array.from(SLOTS, (name) => all[name]);
  const nw = returnWeights ? heads * queries * keys : 0;
  const { table, invFreq, t5Table, r1, r2, shawK, shawV } = arrays;
  const [output, weights] = call(mod, WHERE, [settingsArray, { data: q, name: 'q' }, { data: k, name: 'k' }, { data: v, name: 'v' },
    table, invFreq, t5Table, r1, r2, shawK, shawV],
    [[Float32Array, queries * row, undefined, undefined, target], [Float32Array, nw]],
    (sp, qp, kp, vp, tp, fp, t5p, r1p, r2p, skp, svp, outp, wp) => mod.attention(sp, SLOTS.length, qp, q.length, kp,
      k.length, vp, v.length, outp, queries * row, wp, nw, tp, table.length, fp, invFreq.length, t5p, t5Table.length,
      r1p, r2p, r1.length, skp, svp, shawK.length));
  return returnWeights ? { output, weights } : { output };
}
