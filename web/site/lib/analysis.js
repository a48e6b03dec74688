// SPDX-License-Identifier: MIT
// The one place where the site reaches pe.analysis (similarity, relativeScores, wavelengths,
// permutation) and the methods that may be missing from an older build (pe.learned, pe.shaw).
// Each function has pe.analysis's signature. Where this build of the package has no pe.analysis,
// the stand-ins below use only other package calls (pe.attention, pe.rope.*) plus array
// bookkeeping and dot products of vectors the package returned; no encoding is computed here.
// Once pe.analysis is in every build, each function becomes its one-line delegation.

export class MissingApi extends Error {}

/** The [rows][rows] dot-product matrix of a table's rows (pe.analysis.similarity). */
export function similarity(pe, { table, dim, rows = table.length / dim, metric = 'dot' }) {
  if (pe.analysis?.similarity) return pe.analysis.similarity({ table, dim, rows, metric });
  // Stand-in: the Gram matrix of the table, dot products only.
  const out = new Float32Array(rows * rows);
  for (let i = 0; i < rows; i++) {
    for (let j = i; j < rows; j++) {
      let s = 0;
      for (let c = 0; c < dim; c++) s += table[i * dim + c] * table[j * dim + c];
      out[i * rows + j] = s;
      out[j * rows + i] = s;
    }
  }
  return out;
}

/** RoPE's score as a function of distance, or a bias method's logit bias (pe.analysis.relativeScores). */
export function relativeScores(pe, options) {
  if (pe.analysis?.relativeScores) return pe.analysis.relativeScores(options);
  if (options.method !== 'rope') throw new MissingApi('pe.analysis.relativeScores');
  // Stand-in for RoPE: rotate q to positions n + d and k to position n with pe.rope.apply, dot them.
  const { frequencies, layout = 'half' } = options;
  const distances = options.distances ? Int32Array.from(options.distances)
    : Int32Array.from({ length: options.range[1] - options.range[0] + 1 }, (_, i) => options.range[0] + i);
  const headDim = (options.q ?? options.k)?.length ?? frequencies.headDim ?? frequencies.invFreq.length * 2;
  const q = Float32Array.from(options.q ?? new Float32Array(headDim).fill(1));
  const k = Float32Array.from(options.k ?? new Float32Array(headDim).fill(1));
  const n = Math.max(0, -Math.min(...distances));
  const qs = new Float32Array(distances.length * headDim);
  for (let i = 0; i < distances.length; i++) qs.set(q, i * headDim);
  const qRot = pe.rope.apply(qs, { shape: [distances.length, 1, headDim], frequencies, layout,
    positions: Int32Array.from(distances, (d) => n + d) });
  const kRot = pe.rope.apply(k, { shape: [1, 1, headDim], frequencies, layout, positions: [n] });
  const scores = new Float32Array(distances.length);
  for (let i = 0; i < distances.length; i++) {
    let s = 0;
    for (let c = 0; c < headDim; c++) s += qRot[i * headDim + c] * kRot[c];
    scores[i] = s;
  }
  return { method: 'rope', heads: 1, distances, scores };
}

/** Wavelengths of a config's RoPE before and after its scaling (pe.analysis.wavelengths). */
export function wavelengths(pe, config, options = {}) {
  if (pe.analysis?.wavelengths) return pe.analysis.wavelengths(config, options);
  // Stand-in: the config's frequencies, and those of the same config without its scaling.
  const scaled = pe.rope.frequencies(config, options);
  const plain = { ...config, rope_scaling: null, rope_parameters: null };
  const section = config.rope_parameters ?? config.rope_scaling;
  for (const key of ['rope_theta', 'partial_rotary_factor']) {
    if (section && section[key] !== undefined && plain[key] === undefined) plain[key] = section[key];
  }
  const base = pe.rope.frequencies(plain);
  return {
    ropeType: scaled.ropeType,
    before: pe.rope.wavelengths(base),
    after: pe.rope.wavelengths(scaled),
    attentionFactor: scaled.attentionFactor,
  };
}

/** Attention of tokens and of the tokens permuted, and the equivariance error (pe.analysis.permutation). */
export function permutation(pe, { q, k, v, shape, position = 'none', causal = false, permutation: perm }) {
  if (pe.analysis?.permutation) return pe.analysis.permutation({ q, k, v, shape, position, causal, permutation: perm });
  // Stand-in: pe.attention on the rows as given and on the rows permuted (row i <- row perm[i]).
  const [seq, heads, headDim] = shape;
  const row = heads * headDim;
  const permute = (x) => {
    const out = new Float32Array(x.length);
    for (let i = 0; i < seq; i++) out.set(x.subarray(perm[i] * row, (perm[i] + 1) * row), i * row);
    return out;
  };
  const output = pe.attention({ q, k, v, shape, position, causal }).output;
  const permutedOutput = pe.attention({ q: permute(q), k: permute(k), v: permute(v), shape, position, causal }).output;
  let err = 0;
  for (let i = 0; i < seq; i++) {
    for (let c = 0; c < row; c++) err = Math.max(err, Math.abs(permutedOutput[i * row + c] - output[perm[i] * row + c]));
  }
  return { equivarianceError: err, output, permutedOutput, permutation: Int32Array.from(perm) };
}

/** pe.learned, or a MissingApi error naming it. */
export function learned(pe) {
  if (!pe.learned?.table) throw new MissingApi('pe.learned');
  return pe.learned;
}

/** pe.shaw, or a MissingApi error naming it. */
export function shaw(pe) {
  if (!pe.shaw?.indices) throw new MissingApi('pe.shaw');
  return pe.shaw;
}

/**
 * The attention score of a query and a key the package rotated: their dot product (the definition
 * of the logit before scaling). Used where the site shows one number for positions it chose.
 */
export function dot(a, b) {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** RoPE's relative property checked over many positions (pe.analysis.relativeCheck), or null. */
export function relativeCheck(pe, options) {
  return pe.analysis?.relativeCheck ? pe.analysis.relativeCheck(options) : null;
}
