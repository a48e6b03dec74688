// SPDX-License-Identifier: MIT
// pe.analysis against lib/analysis.d.ts (compiled with tsc; @ts-expect-error lines must fail).
import {
  init, type PermutationResult, type RelativeCheck, type RelativeScores, type ScalingWavelengths, type SimilarityMetric,
} from 'posenc';

async function main(): Promise<void> {
  const pe = await init();
  const table = pe.sinusoidal({ length: 64, dim: 32 });
  const sim: Float32Array = pe.analysis.similarity({ table, dim: 32, metric: 'cosine' });
  const dot: Float32Array = pe.analysis.similarity({ table: [1, 0, 0, 1], rows: 2, dim: 2 });
  const metric: SimilarityMetric = pe.analysis.metrics[0];

  const f = pe.rope.frequencies({ head_dim: 64 });
  const rope: RelativeScores = pe.analysis.relativeScores({ method: 'rope', frequencies: f, range: [0, 512] });
  const qk = new Float32Array(64);
  const withQk = pe.analysis.relativeScores({ method: 'rope', frequencies: f, q: qk, k: qk, layout: 'interleaved', distances: [0, 5] });
  const alibi = pe.analysis.relativeScores({ method: 'alibi', heads: 8, distances: new Int32Array([-3, 0, 3]) });
  const t5 = pe.analysis.relativeScores({ method: 't5', table: new Float32Array(32 * 4), heads: 4, range: [-128, 128], bidirectional: true });
  const kerple = pe.analysis.relativeScores({ method: 'kerple', r1: [1, 2], r2: 0.5, variant: 'power', range: [0, 10] });
  const d: Int32Array = rope.distances;
  const s: Float32Array = alibi.scores;
  const check: RelativeCheck = pe.analysis.relativeCheck({ frequencies: f, range: [0, 256], maxPosition: 1_000_000, samples: 32 });
  const dev: number = check.maxDeviation;

  const w: ScalingWavelengths = pe.analysis.wavelengths({ head_dim: 128, rope_scaling: { rope_type: 'linear', factor: 4 } }, { seqLen: 8192 });
  const before: Float64Array = w.before;

  const x = new Float32Array(8 * 2 * 16);
  const p: PermutationResult = pe.analysis.permutation({ q: x, k: x, v: x, shape: [8, 2, 16], position: 'alibi', causal: false, seed: 4 });
  const given = pe.analysis.permutation({ q: x, k: x, v: x, shape: [8, 2, 16], position: { method: 'rope', frequencies: pe.rope.frequencies({ head_dim: 16 }) }, permutation: [7, 6, 5, 4, 3, 2, 1, 0] });
  const perm: Int32Array = p.permutation;

  // @ts-expect-error: metric is 'dot' | 'cosine'
  pe.analysis.similarity({ table, dim: 32, metric: 'l2' });
  // @ts-expect-error: alibi needs heads
  pe.analysis.relativeScores({ method: 'alibi', range: [0, 8] });
  // @ts-expect-error: rope needs frequencies
  pe.analysis.relativeScores({ method: 'rope', range: [0, 8] });
  // @ts-expect-error: distances or range, not both
  pe.analysis.relativeScores({ method: 'alibi', heads: 2, range: [0, 8], distances: [1] });
  // @ts-expect-error: xpos has no relative curve here
  pe.analysis.relativeScores({ method: 'xpos', range: [0, 8] });
  // @ts-expect-error: the permutation test is self-attention: shape is [seq, heads, headDim]
  pe.analysis.permutation({ q: x, k: x, v: x, shape: { queries: 8, heads: 2, headDim: 16 } });
  // @ts-expect-error: the namespace is read-only
  pe.analysis = pe.analysis;

  console.log(sim.length, dot.length, metric, withQk.heads, t5.heads, kerple.heads, d.length, s.length, dev, before.length,
    given.equivarianceError, perm.length);
}

void main();
