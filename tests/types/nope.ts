// SPDX-License-Identifier: MIT
// Compiled with tsc against the installed package (see sinusoidal.ts): pe.nope as used, and misuses.
import { init, type AttentionShapeOptions, type NopeBiasOptions } from 'posenc';

async function main(): Promise<void> {
  const pe = await init();
  const shape: AttentionShapeOptions = { queries: 4, keys: 9, queryOffset: 5 };
  const opts: NopeBiasOptions = { ...shape, heads: 2, causal: true };
  const m: Float32Array = pe.nope.bias(opts);
  const simple: Float32Array = pe.nope.bias({ queries: 16 });

  // @ts-expect-error: queries is required
  pe.nope.bias({ keys: 4 });
  // @ts-expect-error: causal is a boolean
  pe.nope.bias({ queries: 4, causal: 1 });
  // @ts-expect-error: NoPE has no slopes or tables
  pe.nope.bias({ queries: 4, r1: 1 });
  // @ts-expect-error: the namespace is frozen (read-only)
  pe.nope.bias = () => new Float32Array();

  console.log(m, simple);
}

void main();
