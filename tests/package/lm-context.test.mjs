// SPDX-License-Identifier: MIT
// pe.lm: does a model use its long context? The cut-context perplexity (evaluate's window), the
// attention share beyond a distance (attentionProfile) and the trainer's memory, through the
// installed package.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { init } from 'posenc';

import { expectErrors } from './helpers.mjs';

const pe = await init();
const base = await init({ simd: false });

const train = pe.corpus.generate({ seed: 1, stream: 'train', length: 40000 });
const evalIds = pe.corpus.generate({ seed: 1, stream: 'eval', length: 8000 });
const tiny = { text: train, dModel: 16, layers: 2, heads: 2, mlp: 32, context: 16, batch: 4, steps: 30, lr: 1e-2 };

test('lm.evaluate window: the same windows and tokens; window >= length is exactly the full attention', () => {
  for (const position of ['alibi', 'rope', 'sinusoidal', 't5', 'kerple', 'none']) {
    const t = pe.lm.create({ ...tiny, position });
    t.train(30);
    const args = { tokens: evalIds, length: 64, maxScored: 512 };
    const full = t.evaluate(args);
    for (const window of [64, 65, 1000]) assert.deepEqual(t.evaluate({ ...args, window }), full, `${position} window ${window}`);
    const cut = t.evaluate({ ...args, window: 16 });
    assert.equal(cut.scored, full.scored);
    assert.notEqual(cut.perplexity, full.perplexity, `${position}: a band of 16 keys changes the predictions`);
    assert.ok(Number.isFinite(cut.perplexity) && cut.perplexity > 1, position);
    // window 1: each query sees only itself in every layer, so the context is gone altogether.
    const self = t.evaluate({ ...args, window: 1 }).perplexity;
    assert.ok(Number.isFinite(self) && self > 1);
    // A longer band is closer to the full attention than a shorter one on this model? Not a law;
    // but the band of length - 1 drops one key for the last query only: nearly the full value.
    const almost = t.evaluate({ ...args, window: 63 }).perplexity;
    assert.ok(Math.abs(almost - full.perplexity) < Math.abs(self - full.perplexity), position);
    t.dispose();
  }
});

test('lm.evaluate window: both builds agree', () => {
  const opts = { ...tiny, position: 'alibi', steps: 10 };
  const [a, b] = [pe, base].map((inst) => inst.lm.create(opts));
  for (const t of [a, b]) t.train(10);
  const args = { tokens: evalIds, length: 48, maxScored: 480, window: 8 };
  const pa = a.evaluate(args).perplexity, pb = b.evaluate(args).perplexity;
  assert.ok(Math.abs(pa - pb) <= 1e-3 * pa, `${pa} vs ${pb}`);
  a.dispose();
  b.dispose();
});

test('lm.attentionProfile: shares in [0, 1], non-increasing in d, 0 from length - 1, over evaluate()\'s windows', () => {
  for (const position of ['alibi', 'rope', 'none']) {
    const t = pe.lm.create({ ...tiny, position });
    t.train(30);
    const length = 40;
    const distances = [0, 1, 2, 4, 8, 16, 32, 38, 39, 500];
    const p = t.attentionProfile({ tokens: evalIds, length, maxScored: 400, distances });
    assert.deepEqual(p.distances, distances);
    assert.equal(p.queries, 400, '10 windows of 40 positions');
    const full = t.evaluate({ tokens: evalIds, length, maxScored: 400 }).perplexity;
    assert.ok(Math.abs(p.perplexity - full) <= 1e-5 * full, `the same forward pass: ${p.perplexity} vs ${full}`);
    assert.equal(p.share.length, 2);
    for (const layer of p.share) {
      assert.equal(layer.length, 2);
      for (const row of layer) {
        assert.equal(row.length, distances.length);
        for (let k = 0; k < row.length; k++) {
          assert.ok(row[k] >= 0 && row[k] <= 1 + 1e-6, `${position}: ${row[k]}`);
          if (k > 0) assert.ok(row[k] <= row[k - 1] + 1e-12, `${position}: non-increasing ${row}`);
        }
        // d = 0: everything but the query's own key, so strictly positive for queries i >= 1.
        assert.ok(row[0] > 0);
        // No key is farther than length - 1 from its query.
        assert.equal(row[distances.indexOf(39)], 0);
        assert.equal(row[distances.indexOf(500)], 0);
        // Uniform attention over i + 1 keys would give (1/40) sum_i (i - d) / (i + 1) for d = 0 ...
        // the causal mask gives query 0 nothing beyond 0: the share is below (length - 1) / length.
        assert.ok(row[0] < 39 / 40);
      }
    }
    t.dispose();
  }
});

test('lm.attentionProfile: default distances are L/2, L, 2L, 4L of the training context', () => {
  const t = pe.lm.create({ ...tiny, position: 'kerple', steps: 3 });
  t.train(3);
  const p = t.attentionProfile({ tokens: evalIds, length: 96, maxScored: 96 });
  assert.deepEqual(p.distances, [8, 16, 32, 64]);
  assert.equal(p.queries, 96);
  t.dispose();
});

test('lm.memory: bytes of the blocks the core allocated; a longer context grows the step', () => {
  const t = pe.lm.create({ ...tiny, position: 'rope', steps: 2 });
  const m = t.memory;
  assert.equal(m.parameterBytes, 4 * t.parameterCount);
  assert.equal(m.optimizerBytes, 8 * t.parameterCount);
  assert.equal(m.gradientBytes, 4 * t.parameterCount);
  assert.equal(m.stepBytes, m.gradientBytes + m.activationBytes);
  // The attention weights kept for the backward pass alone: layers * batch * heads * context^2 floats.
  const weights = (T) => 4 * 2 * 4 * 2 * T * T;
  assert.ok(m.activationBytes > weights(16));
  t.finetune({ context: 64, rope: { type: 'linear', factor: 4 }, steps: 1 });
  const grown = t.memory;
  assert.equal(grown.parameterBytes, m.parameterBytes);
  assert.ok(grown.activationBytes > weights(64));
  assert.ok(grown.activationBytes - m.activationBytes >= weights(64) - weights(16), 'at least the extra attention weights');
  t.dispose();
  assert.throws(() => t.memory, /posenc\.lm\.memory: this trainer has been disposed/);
});

test('lm: window, attentionProfile arguments are validated, naming the parameter', () => {
  const t = pe.lm.create({ ...tiny, position: 'alibi', steps: 1 });
  expectErrors((a) => t.evaluate(a), 'posenc.lm.evaluate', [
    [{ tokens: evalIds, length: 32, window: 0 }, RangeError, 'window must be an integer >= 1'],
    [{ tokens: evalIds, length: 32, window: 2.5 }, RangeError, 'window must be an integer'],
    [{ tokens: evalIds, length: 32, window: '8' }, TypeError, 'window must be a number'],
    [{ tokens: evalIds, length: 32, windows: 8 }, TypeError, 'windows'],
  ]);
  expectErrors((a) => t.attentionProfile(a), 'posenc.lm.attentionProfile', [
    [{ tokens: evalIds, length: 32, distances: [-1] }, RangeError, 'distances[0] must be in [0, 65536]'],
    [{ tokens: evalIds, length: 32, distances: [] }, RangeError, 'distances must hold 1 to 64 values'],
    [{ tokens: evalIds, length: 32, distances: new Array(65).fill(1) }, RangeError, 'distances must hold 1 to 64 values'],
    [{ tokens: evalIds, length: 32, distances: [1.5] }, RangeError, 'distances[0]'],
    [{ tokens: evalIds, length: 32, distances: 'far' }, TypeError, 'distances must be'],
    [{ tokens: evalIds.subarray(0, 10), length: 32 }, RangeError, 'tokens must hold at least length + 1'],
    [{ tokens: evalIds, length: 0 }, RangeError, 'length must be an integer >= 1'],
    [{ tokens: evalIds, length: 32, window: 4 }, TypeError, 'window'],
    [undefined, TypeError, 'options'],
  ]);
  const learned = pe.lm.create({ ...tiny, position: 'learned', steps: 1 });
  expectErrors((a) => learned.attentionProfile(a), 'posenc.lm.attentionProfile', [
    [{ tokens: evalIds, length: 32 }, RangeError, 'length exceeds the learned table'],
  ]);
  // The module keeps working after the errors.
  assert.ok(Number.isFinite(t.attentionProfile({ tokens: evalIds, length: 32, maxScored: 32 }).perplexity));
  t.dispose();
  learned.dispose();
  assert.throws(() => t.attentionProfile({ tokens: evalIds, length: 32 }), /posenc\.lm\.attentionProfile: this trainer has been disposed/);
});
