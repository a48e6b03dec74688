// SPDX-License-Identifier: MIT
// Read a model's config.json and print, per rotary frequency, the wavelength (positions per turn)
// before and after its rope_scaling, and the attention factor.
//   node rope-wavelengths.mjs ../configs/llama3-8b-style.json [seqLen]
import { readFileSync } from 'node:fs';

import { init } from 'posenc';

const [file = new URL('../configs/llama3-8b-style.json', import.meta.url), seqLen] = process.argv.slice(2);
const config = JSON.parse(readFileSync(file, 'utf8'));
const pe = await init();

let scaled;
try {
  scaled = pe.rope.frequencies(config, seqLen ? { seqLen: Number(seqLen) } : {});
} catch (e) {
  console.error(e.message);  // e.g. "posenc.rope.frequencies: config.rope_scaling.beta_fats is not a key ..."
  process.exit(2);
}
// The same model without its scaling (the rope section removed, theta and the rest kept).
const { rope_scaling: _s, rope_parameters: _p, ...plainConfig } = config;
if (config.rope_parameters?.rope_theta !== undefined) plainConfig.rope_theta = config.rope_parameters.rope_theta;
const plain = pe.rope.frequencies(plainConfig);

const before = pe.rope.wavelengths(plain), after = pe.rope.wavelengths(scaled);
console.log(`${scaled.ropeType} RoPE, head_dim ${scaled.headDim}, rotary_dim ${scaled.rotaryDim}, theta ${scaled.theta}, ` +
  `attention factor ${scaled.attentionFactor.toFixed(6)}`);
console.log(' pair   wavelength before   wavelength after   ratio');
const show = (i) => console.log(`${String(i).padStart(5)} ${before[i].toExponential(4).padStart(19)} ${after[i].toExponential(4).padStart(18)} ${(after[i] / before[i]).toFixed(4).padStart(7)}`);
const n = before.length;
for (const i of [...new Set([0, 1, 2, Math.floor(n / 4), Math.floor(n / 2), Math.floor(3 * n / 4), n - 2, n - 1])]) show(i);
