// SPDX-License-Identifier: MIT
// Compiled with tsc against the installed package (see sinusoidal.ts): pe.kerple as used, and misuses.
import { init, type KerpleBiasOptions, type KerpleVariant } from 'posenc';

async function main(): Promise<void> {
  const pe = await init();
  const variant: KerpleVariant = 'power';
  const opts: KerpleBiasOptions = { heads: 2, queries: 4, keys: 8, queryOffset: 4, r1: [1, 2], r2: new Float32Array([0.5, 1.5]), variant, causal: false };
  const b: Float32Array = pe.kerple.bias(opts);
  const broadcast: Float32Array = pe.kerple.bias({ heads: 8, queries: 16, r1: 1, r2: new Float64Array(8).fill(0.5) });

  // @ts-expect-error: r1 and r2 are required (no canonical value)
  pe.kerple.bias({ heads: 2, queries: 4 });
  // @ts-expect-error: variant is 'log' | 'power'
  pe.kerple.bias({ heads: 2, queries: 4, r1: 1, r2: 1, variant: 'exp' });
  // @ts-expect-error: r1 is a number or numbers, not a string
  pe.kerple.bias({ heads: 2, queries: 4, r1: '1', r2: 1 });
  // @ts-expect-error: the result is a Float32Array
  const wrong: Float64Array = pe.kerple.bias({ heads: 1, queries: 1, r1: 1, r2: 1 });

  console.log(b, broadcast, wrong);
}

void main();
