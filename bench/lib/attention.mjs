// SPDX-License-Identifier: MIT
// Causal attention with ALiBi as the benchmarks compute it outside posenc: the float64 reference
// ([seq][heads][dim] layout, posenc's), the heads-first layout [heads][seq][dim] the peers (tfjs,
// onnxruntime-web) take, and the ALiBi + causal mask as one additive bias for their graphs.

export const alibiSlope = (h, heads) => 2 ** (-8 * (h + 1) / heads);  // heads a power of two

/** float64 reference for the rows in `rows` (all rows when omitted): [seq][heads][dim] layout. */
export function attentionReference(q, k, v, { seq, heads, dim }, rows) {
  const out = new Float64Array(q.length), scale = 1 / Math.sqrt(dim), z = new Float64Array(seq);
  for (let hd = 0; hd < heads; hd++) {
    const m = alibiSlope(hd, heads);
    for (const i of rows ?? Array.from({ length: seq }, (_, t) => t)) {
      let max = -Infinity;
      for (let j = 0; j <= i; j++) {
        let dot = 0;
        for (let d = 0; d < dim; d++) dot += q[(i * heads + hd) * dim + d] * k[(j * heads + hd) * dim + d];
        z[j] = scale * dot - m * (i - j);
        if (z[j] > max) max = z[j];
      }
      let sum = 0;
      for (let j = 0; j <= i; j++) sum += (z[j] = Math.exp(z[j] - max));
      for (let j = 0; j <= i; j++) {
        const p = z[j] / sum;
        for (let d = 0; d < dim; d++) out[(i * heads + hd) * dim + d] += p * v[(j * heads + hd) * dim + d];
      }
    }
  }
  return out;
}

/** Heads-first copies [heads][seq][dim] for tfjs and ORT. */
export function headsFirst(x, { seq, heads, dim }) {
  const out = new Float32Array(x.length);
  for (let t = 0; t < seq; t++) for (let hd = 0; hd < heads; hd++) out.set(x.subarray((t * heads + hd) * dim, (t * heads + hd + 1) * dim), (hd * seq + t) * dim);
  return out;
}
export function seqFirst(x, { seq, heads, dim }) {
  const out = new Float32Array(x.length);
  for (let hd = 0; hd < heads; hd++) for (let t = 0; t < seq; t++) out.set(x.subarray((hd * seq + t) * dim, (hd * seq + t + 1) * dim), (t * heads + hd) * dim);
  return out;
}
/** ALiBi + causal mask as one [heads][seq][seq] additive bias (-1e9 above the diagonal). */
export function alibiCausalBias({ seq, heads }) {
  const b = new Float32Array(heads * seq * seq);
  for (let hd = 0; hd < heads; hd++) {
    const m = alibiSlope(hd, heads);
    for (let i = 0; i < seq; i++) for (let j = 0; j < seq; j++) b[(hd * seq + i) * seq + j] = j <= i ? -m * (i - j) : -1e9;
  }
  return b;
}
