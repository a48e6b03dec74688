// SPDX-License-Identifier: MIT
// The language model trains to the same numbers natively (examples/cpp/extrapolation) and in the
// WebAssembly builds (pe.lm), from the same generated corpus and seeds: perplexities agree within
// 1e-5 relative (measured: about 1e-8; the JSON keeps six decimals).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

import { init } from '../../web/package/index.js';

const EXE = fileURLToPath(new URL('../../build/native/examples/cpp/extrapolation', import.meta.url));
const STEPS = 30, L = 64, EVAL = 2048, METHODS = ['alibi', 'rope', 't5', 'sinusoidal'];

test('native and WebAssembly training agree', async () => {
  const json = join(mkdtempSync(join(tmpdir(), 'posenc-lm-')), 'native.json');
  execFileSync(EXE, ['--steps', String(STEPS), '--methods', METHODS.join(','), '--multiples', '1,2',
    '--eval-tokens', String(EVAL), '--finetune', '0', '--quiet', '--json', json]);
  const native = JSON.parse(readFileSync(json, 'utf8'));
  // The native command's data: corpus seed 1, a 2,000,000-token training stream, an evaluation
  // stream of max(eval tokens, 2L) + 2L + 1 tokens; model seed 1, data seed 1001, T5 max_distance L.
  for (const simd of [true, false]) {
    const pe = await init({ simd });
    const train = pe.corpus.generate({ seed: 1, stream: 'train', length: 2_000_000 });
    const evalIds = pe.corpus.generate({ seed: 1, stream: 'eval', length: Math.max(EVAL, 2 * L) + 2 * L + 1 });
    for (const method of METHODS) {
      const t = pe.lm.create({ text: train, position: method, steps: STEPS, seed: 1, dataSeed: 1001, t5MaxDistance: L });
      t.train(STEPS);
      const row = native.rows.find((r) => r.method === method);
      [1, 2].forEach((m, i) => {
        const { perplexity } = t.evaluate({ tokens: evalIds, length: m * L, maxScored: EVAL });
        const rel = Math.abs(perplexity - row.perplexity[i]) / row.perplexity[i];
        assert.ok(rel < 1e-5, `${method} (simd ${simd}) at ${m * L}: wasm ${perplexity} vs native ${row.perplexity[i]}`);
      });
      t.dispose();
    }
  }
});
