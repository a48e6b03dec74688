// SPDX-License-Identifier: MIT
// pe.rope / pe.xpos against lib/rope.d.ts (compiled with tsc; @ts-expect-error lines must fail).
import { init, type RopeFrequencies, type RopeModelConfig, type RopeType } from 'posenc';

async function main(): Promise<void> {
  const pe = await init();
  const config: RopeModelConfig = {
    hidden_size: 4096, num_attention_heads: 32, rope_theta: 500000, max_position_embeddings: 131072,
    rope_scaling: { rope_type: 'llama3', factor: 8, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 8192 },
    vocab_size: 128256,
  };
  const f: RopeFrequencies = pe.rope.frequencies(config, { seqLen: 4096 });
  const t: RopeType = f.ropeType;
  const inv: Float64Array = f.invFreq;
  const { cos, sin } = pe.rope.cache({ frequencies: f, length: 16, offset: 4 });
  const q = new Float32Array(2 * 4 * 128);
  const rotated: Float32Array = pe.rope.apply(q, { shape: [2, 4, 128], frequencies: f, positions: [7, 9], layout: 'interleaved' });
  const back: Float32Array = pe.rope.inverse(rotated, { shape: [2, 4, 128], frequencies: f, positions: [7, 9], layout: 'interleaved' });
  const wl: Float64Array = pe.rope.wavelengths({ invFreq: [1, 0.5] });
  const k: Float32Array = pe.xpos.apply(q, { shape: [2, 4, 128], role: 'key', offset: 3, gamma: 0.4, scaleBase: 512 });
  const v5 = pe.rope.frequencies({ head_dim: 64, rope_parameters: { rope_type: 'yarn', rope_theta: 10000, factor: 4, original_max_position_embeddings: 4096 } });
  const types: readonly RopeType[] = pe.rope.types;

  // @ts-expect-error: rope_type must be one of the known types
  pe.rope.frequencies({ head_dim: 64, rope_scaling: { rope_type: 'warp' } });
  // @ts-expect-error: shape has three entries
  pe.rope.apply(q, { shape: [2, 512], frequencies: f });
  // @ts-expect-error: frequencies are required for rope.apply
  pe.rope.apply(q, { shape: [2, 4, 128] });
  // @ts-expect-error: layout is 'half' | 'interleaved'
  pe.rope.apply(q, { shape: [2, 4, 128], frequencies: f, layout: 'neox' });
  // @ts-expect-error: xpos needs a role
  pe.xpos.apply(q, { shape: [2, 4, 128] });
  // @ts-expect-error: invFreq is read-only
  f.invFreq = new Float64Array(1);

  console.log(t, inv.length, cos.length + sin.length, back.length, wl.length, k.length, v5.attentionFactor, types.length);
}

void main();
