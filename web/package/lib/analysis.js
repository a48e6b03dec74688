// SPDX-License-Identifier: MIT
// pe.analysis (C++: src/posenc/analysis.hpp): what the demo site draws. Similarity of position
// vectors, relative score curves and RoPE's relative check, wavelengths before and after a scaling,
// and the permutation test. Every number is computed by the core; this file checks arguments.
import { bool, describe, floats, integer, ints, isList, number, oneOf, options, outTarget, record, relabel, tuple } from './args.js';
import { MAX_OUTPUT_BYTES, MAX_POSITION, call } from './runtime.js';
import { bind as bindAttention } from './attention.js';
import { MAX_HEADS } from './nope.js';
import { checkFrequencies, frequencies } from './rope.js';

const METRICS = ['dot', 'cosine'];
const METHODS = ['rope', 'alibi', 't5', 'kerple'];
const LAYOUTS = ['half', 'interleaved'];
const VARIANTS = ['log', 'power'];
const DISTANCE_KEYS = ['distances', 'range'];
const ROPE_KEYS = ['frequencies', 'q', 'k', 'layout'];
const METHOD_KEYS = {
  rope: ROPE_KEYS,
  alibi: ['heads'],
  t5: ['heads', 'table', 'numBuckets', 'maxDistance', 'bidirectional'],
  kerple: ['heads', 'r1', 'r2', 'variant'],
};
// Order of the settings array (bindings/analysis.cpp, RelativeSlot).
const SLOTS = ['method', 'heads', 'layout', 'attentionFactor', 't5Bidirectional', 't5NumBuckets', 't5MaxDistance',
  'kerpleVariant'];

/** The members this module adds to the library object. */
export function bind(mod) {
  const { attention } = bindAttention(mod);
  return {
    analysis: {
      similarity: (opts) => similarity(mod, opts),
      relativeScores: (opts) => relativeScores(mod, opts),
      relativeCheck: (opts) => relativeCheck(mod, opts),
      wavelengths: (config, opts) => wavelengths(mod, config, opts),
      permutation: (opts) => permutation(mod, attention, opts),
      metrics: METRICS,
      methods: METHODS,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Similarity.

function similarity(mod, opts) {
  const where = 'posenc.analysis.similarity';
  const o = options(where, opts, ['table', 'dim', 'rows', 'metric', 'out']);
  const table = floats(where, 'table', o.table, { finite: false, resident: true });  // scanned in the module (call() below)
  const dim = integer(where, 'dim', o.dim, { min: 1 });
  if (table.length === 0 || table.length % dim !== 0) {
    throw new RangeError(`${where}: table must hold rows * dim (${dim}) floats, got ${table.length}`);
  }
  const rows = integer(where, 'rows', o.rows, { min: 1, fallback: table.length / dim });
  if (rows * dim !== table.length) throw new RangeError(`${where}: table must hold rows * dim = ${rows * dim} floats, got ${table.length}`);
  const metric = oneOf(where, 'metric', o.metric, METRICS, 'dot');
  if (rows * rows * 4 > MAX_OUTPUT_BYTES) {
    throw new RangeError(`${where}: rows * rows exceeds the ${MAX_OUTPUT_BYTES / 2 ** 20} MiB output limit (rows <= 8192)`);
  }
  return call(mod, where, [{ data: table, name: 'table' }], [[Float32Array, rows * rows, undefined, undefined, outTarget(where, o.out, Float32Array, rows * rows)]], (t, out) =>
    mod.analysisSimilarity(t, table.length, rows, dim, METRICS.indexOf(metric), out))[0];
}

// ---------------------------------------------------------------------------------------------
// Relative score curves.

/** The distances m - n: a list, or range [first, last] (inclusive). */
function readDistances(where, o) {
  let d;
  if (o.distances !== undefined && o.range !== undefined) throw new RangeError(`${where}: give distances or range, not both`);
  if (o.distances !== undefined) {
    d = ints(where, 'distances', o.distances, { min: -MAX_POSITION, max: MAX_POSITION });
    if (d.length === 0) throw new RangeError(`${where}: distances must not be empty`);
    d = d.slice();  // the result owns its copy
  } else if (o.range !== undefined) {
    const [first, last] = tuple(where, 'range', o.range, 2, '[first, last]').map((x, i) => integer(where, `range[${i}]`, x, { min: -MAX_POSITION, max: MAX_POSITION }));
    if (last < first) throw new RangeError(`${where}: range [first, last] needs first <= last, got [${first}, ${last}]`);
    d = Int32Array.from({ length: last - first + 1 }, (_, i) => first + i);
  } else {
    throw new TypeError(`${where}: give distances (a list of m - n) or range ([first, last])`);
  }
  let lo = 0, hi = 0;
  for (const x of d) { lo = Math.min(lo, x); hi = Math.max(hi, x); }
  if (hi - lo > MAX_POSITION) {
    throw new RangeError(`${where}: ${o.range ? 'range' : 'distances'} spans positions ${lo} .. ${hi} around the key; ` +
      'max(0, max d) - min(0, min d) must be at most 2^24');
  }
  return d;
}

/** RoPE's frequencies, q and k (all ones by default) and layout. */
function readRope(where, o) {
  const f = checkFrequencies(where, o.frequencies);
  const qIn = o.q === undefined ? undefined : floats(where, 'q', o.q);
  const kIn = o.k === undefined ? undefined : floats(where, 'k', o.k, { length: qIn?.length });
  const headDim = (qIn ?? kIn)?.length ?? f.headDim ?? 2 * f.invFreq.length;
  if (headDim < 2 || headDim > 8192) throw new RangeError(`${where}: q and k must have headDim (2 .. 8192) entries, got ${headDim}`);
  if (f.headDim !== undefined && f.headDim !== headDim) {
    throw new RangeError(`${where}: q and k have ${headDim} entries but frequencies.headDim is ${f.headDim}`);
  }
  if (2 * f.invFreq.length > headDim) {
    throw new RangeError(`${where}: frequencies.invFreq (${f.invFreq.length} entries) gives a rotary dimension of ${2 * f.invFreq.length}, more than the length of q and k (${headDim})`);
  }
  const ones = () => new Float32Array(headDim).fill(1);
  const layout = oneOf(where, 'layout', o.layout, LAYOUTS, 'half');
  return { invFreq: f.invFreq, attentionFactor: f.attentionFactor, q: qIn ?? ones(), k: kIn ?? ones(), layout };
}

/** One float32 per head from a number or a list; heads from `heads` or the list. */
function perHead(where, name, value, heads) {
  if (typeof value === 'number') {
    number(where, name, value, { above: 0 });
    return new Float32Array(heads ?? 1).fill(value);
  }
  if (value === undefined) throw new TypeError(`${where}: ${name} must be a number or one number per head, got undefined`);
  const v = floats(where, name, value, { length: heads });
  v.forEach((x, i) => { if (!(x > 0)) throw new RangeError(`${where}: ${name}[${i}] must be > 0, got ${describe(x)}`); });
  return v;
}

function readRelative(where, o, method) {
  const s = { method: METHODS.indexOf(method), heads: 1, layout: 0, attentionFactor: 1, t5Bidirectional: 1,
    t5NumBuckets: 32, t5MaxDistance: 128, kerpleVariant: 0 };
  const empty = new Float32Array(0);
  const a = { invFreq: new Float64Array(0), q: empty, k: empty, table: empty, r1: empty, r2: empty };
  const heads = o.heads === undefined ? undefined : integer(where, 'heads', o.heads, { min: 1, max: MAX_HEADS });
  switch (method) {
    case 'rope': {
      const r = readRope(where, o);
      Object.assign(a, { invFreq: r.invFreq, q: r.q, k: r.k });
      s.attentionFactor = r.attentionFactor;
      s.layout = LAYOUTS.indexOf(r.layout);
      break;
    }
    case 'alibi':
      s.heads = integer(where, 'heads', o.heads, { min: 1, max: MAX_HEADS });
      break;
    case 't5': {
      s.t5Bidirectional = bool(where, 'bidirectional', o.bidirectional, true) ? 1 : 0;
      s.t5NumBuckets = integer(where, 'numBuckets', o.numBuckets, { min: 2, max: 65536, fallback: 32 });
      s.t5MaxDistance = integer(where, 'maxDistance', o.maxDistance, { min: 1, max: 2 ** 31 - 1, fallback: 128 });
      a.table = floats(where, 'table', o.table);
      const tableHeads = a.table.length / s.t5NumBuckets;
      if (tableHeads < 1 || !Number.isInteger(tableHeads) || (heads !== undefined && tableHeads !== heads)) {
        throw new RangeError(`${where}: table must hold numBuckets * heads values ([numBuckets][heads]), got ${a.table.length}`);
      }
      s.heads = tableHeads;
      break;
    }
    case 'kerple': {
      const listed = ['r1', 'r2'].find((name) => isList(o[name]));
      const n = heads ?? (listed !== undefined ? floats(where, listed, o[listed], { finite: false }).length : undefined);
      a.r1 = perHead(where, 'r1', o.r1, n);
      a.r2 = perHead(where, 'r2', o.r2, n ?? a.r1.length);
      if (a.r1.length !== a.r2.length) throw new RangeError(`${where}: r1 and r2 need one value per head each`);
      s.heads = a.r1.length;
      s.kerpleVariant = VARIANTS.indexOf(oneOf(where, 'variant', o.variant, VARIANTS, 'log'));
      break;
    }
    default:
      break;
  }
  return { settings: Float64Array.from(SLOTS, (name) => s[name]), arrays: a, heads: s.heads };
}

function relativeScores(mod, opts) {
  const where = 'posenc.analysis.relativeScores';
  const given = record(where, opts, 'options', ['method', ...DISTANCE_KEYS, ...Object.values(METHOD_KEYS).flat()]);
  const method = oneOf(where, 'method', given.method, METHODS);
  const o = options(where, given, ['method', ...DISTANCE_KEYS, ...METHOD_KEYS[method]]);
  const distances = readDistances(where, o);
  const { settings, arrays: a, heads } = readRelative(where, o, method);
  if (heads * distances.length * 4 > MAX_OUTPUT_BYTES) throw new RangeError(`${where}: heads * distances exceeds the 256 MiB output limit`);
  const n = heads * distances.length;
  const [scores] = call(mod, where, [settings, distances, a.invFreq, a.q, a.k, a.table, a.r1, a.r2], [[Float32Array, n]],
    (sp, dp, fp, qp, kp, tp, r1p, r2p, out) => mod.analysisRelativeScores(sp, SLOTS.length, dp, distances.length, fp,
      a.invFreq.length, qp, kp, a.q.length, tp, a.table.length, r1p, r2p, a.r1.length, out, n));
  return { method, heads, distances, scores };
}

function relativeCheck(mod, opts) {
  const where = 'posenc.analysis.relativeCheck';
  const o = options(where, opts, [...ROPE_KEYS, ...DISTANCE_KEYS, 'maxPosition', 'samples']);
  const distances = readDistances(where, o);
  const maxPosition = integer(where, 'maxPosition', o.maxPosition, { min: 0, max: MAX_POSITION, fallback: 1_000_000 });
  const samples = integer(where, 'samples', o.samples, { min: 2, max: 4096, fallback: 64 });
  const { settings, arrays: a } = readRelative(where, o, 'rope');
  const [result] = call(mod, where, [settings, distances, a.invFreq, a.q, a.k], [[Float64Array, 2]],
    (sp, dp, fp, qp, kp, out) => mod.analysisRopeCheck(sp, SLOTS.length, dp, distances.length, fp, a.invFreq.length,
      qp, kp, a.q.length, maxPosition, samples, out));
  return { maxDeviation: result[0], bound: result[1], samples, maxPosition };
}

// ---------------------------------------------------------------------------------------------
// Wavelengths before and after a scaling.

function wavelengths(mod, config, opts = {}) {
  const where = 'posenc.analysis.wavelengths';
  const o = options(where, opts, ['seqLen', 'layerType']);
  const after = relabel(where, 'posenc.rope.frequencies', () => frequencies(mod, config, o));
  // Default RoPE's w_i = theta^(-2i/r) depends on theta and the rotary dimension r only.
  const before = frequencies(mod, { head_dim: after.rotaryDim, rope_theta: after.theta });
  const h = after.invFreq.length;
  const lengths = (f) => call(mod, where, [f.invFreq], [[Float64Array, h]], (inv, out) => mod.ropeWavelengths(inv, h, out))[0];
  return { ropeType: after.ropeType, before: lengths(before), after: lengths(after), attentionFactor: after.attentionFactor };
}

// ---------------------------------------------------------------------------------------------
// Permutation test. The core's permutation_test() does this in one call; here its parts (random
// permutation, row permutation, equivariance error) run around pe.attention, so that attention's own
// argument checks and position descriptors apply unchanged (lib/attention.js exports no reader of them).

function permutation(mod, attention, opts) {
  const where = 'posenc.analysis.permutation';
  const o = options(where, opts, ['q', 'k', 'v', 'shape', 'position', 'causal', 'permutation', 'seed']);
  const [seq, heads, headDim] = tuple(where, 'shape', o.shape, 3, '[seq, heads, headDim] (self-attention)').map((x, i) => integer(where, `shape[${i}]`, x, { min: 1 }));
  if (seq > MAX_POSITION + 1) throw new RangeError(`${where}: shape[0] (seq) must be at most 2^24 + 1`);
  const row = heads * headDim, n = seq * row;
  if (n * 4 > MAX_OUTPUT_BYTES) throw new RangeError(`${where}: q, k and v are limited to 256 MiB each`);
  // NaN/infinity in q, k, v is found by a SIMD scan in the module (the first call() below).
  const [q, k, v] = ['q', 'k', 'v'].map((name) => floats(where, name, o[name], { length: n, finite: false, resident: true }));
  let perm;
  if (o.permutation !== undefined) {
    if (o.seed !== undefined) throw new RangeError(`${where}: give permutation or seed, not both`);
    perm = ints(where, 'permutation', o.permutation, { length: seq, min: 0, max: seq - 1 }).slice();
  } else {
    const seed = integer(where, 'seed', o.seed, { min: 0, max: Number.MAX_SAFE_INTEGER, fallback: 1 });
    perm = call(mod, where, [], [[Int32Array, seq]], (out) => mod.analysisRandomPermutation(seed, out, seq))[0];
  }
  const [qy, ky, vy] = call(mod, where, [{ data: q, name: 'q' }, { data: k, name: 'k' }, { data: v, name: 'v' }, perm], [[Float32Array, n], [Float32Array, n], [Float32Array, n]],
    (qp, kp, vp, pp, qo, ko, vo) => mod.analysisPermuteRows(qp, n, row, pp, seq, qo) ||
      mod.analysisPermuteRows(kp, n, row, pp, seq, ko) || mod.analysisPermuteRows(vp, n, row, pp, seq, vo));
  const run = (x) => relabel(where, 'posenc.attention', () =>
    attention({ q: x[0], k: x[1], v: x[2], shape: [seq, heads, headDim], position: o.position, causal: o.causal }).output);
  const output = run([q, k, v]);
  const permutedOutput = run([qy, ky, vy]);
  const [error] = call(mod, where, [output, permutedOutput, perm], [[Float64Array, 1]], (a, b, pp, out) =>
    mod.analysisEquivarianceError(a, b, n, row, pp, seq, out));
  return { equivarianceError: error[0], output, permutedOutput, permutation: perm };
}
