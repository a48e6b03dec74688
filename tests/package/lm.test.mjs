// SPDX-License-Identifier: MIT
// pe.corpus and pe.lm through the installed package.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { init } from 'posenc';

const pe = await init();
const base = await init({ simd: false });

test('corpus: deterministic streams over a 64-id alphabet; encode/decode', () => {
  const a = pe.corpus.generate({ seed: 3, stream: 'train', length: 5000 });
  assert.deepEqual(pe.corpus.generate({ seed: 3, stream: 'train', length: 5000 }), a);
  assert.deepEqual(base.corpus.generate({ seed: 3, stream: 'train', length: 5000 }), a, 'same bytes in both builds');
  const e = pe.corpus.generate({ seed: 3, stream: 'eval', length: 5000 });
  assert.notDeepEqual(e, a);
  assert.ok(a.every((id) => id >= 0 && id < 64));
  const text = pe.corpus.decode(a);
  assert.equal(text.length, 5000);
  assert.match(text, /[a-z]+ [a-z]+/);
  assert.equal(pe.corpus.alphabet.length, 63);
  const ids = pe.corpus.encode('Hi (there).');
  assert.equal(pe.corpus.decode(ids), 'Hi (there).');
  assert.deepEqual(Array.from(pe.corpus.encode('é')), [63, 63], 'two UTF-8 bytes outside the alphabet');
  assert.throws(() => pe.corpus.generate({ length: 0 }), /posenc\.corpus\.generate: length must be an integer >= 1/);
  assert.throws(() => pe.corpus.generate({ length: 5, stream: 'test' }), /stream must be one of 'train', 'eval'/);
  assert.throws(() => pe.corpus.encode(42), TypeError);
  assert.throws(() => pe.corpus.decode([64]), /ids\[0\] must be in \[0, 63\]/);
});

const train = pe.corpus.generate({ seed: 1, stream: 'train', length: 60000 });
const evalIds = pe.corpus.generate({ seed: 1, stream: 'eval', length: 20000 });
const tiny = { text: train, dModel: 16, layers: 1, heads: 2, mlp: 32, context: 16, batch: 4, steps: 40, lr: 1e-2 };

test('lm: training lowers the loss, deterministically; evaluation gives a perplexity', () => {
  const losses = [];
  for (let run = 0; run < 2; run++) {
    const t = pe.lm.create({ ...tiny, position: 'alibi' });
    const first = t.train(5).loss;
    let last;
    for (let r; (r = t.train(10)).steps > 0;) last = r.loss;
    assert.ok(last < first - 0.5, `loss ${first} -> ${last}`);
    assert.equal(t.train(10).steps, 0, 'the schedule is finished');
    const { perplexity, scored } = t.evaluate({ tokens: evalIds, length: 64, maxScored: 2048 });
    assert.ok(perplexity > 1 && perplexity < 64);
    assert.equal(scored, 2048);
    losses.push(last);
    t.dispose();
  }
  assert.equal(losses[0], losses[1]);
});

test('lm: a learned table cannot read past its length; the other methods can', () => {
  for (const position of pe.lm.positions) {
    const t = pe.lm.create({ ...tiny, position, steps: 2 });
    t.train(2);
    if (position === 'learned') {
      assert.throws(() => t.evaluate({ tokens: evalIds, length: 32 }), (e) => e instanceof RangeError && /length exceeds the learned table/.test(e.message));
      assert.ok(Number.isFinite(t.evaluate({ tokens: evalIds, length: 16, maxScored: 64 }).perplexity));
    } else {
      assert.ok(Number.isFinite(t.evaluate({ tokens: evalIds, length: 64, maxScored: 64 }).perplexity), position);
    }
    t.dispose();
  }
});

test('lm: RoPE with position interpolation at evaluation, and a fine-tune at a longer context', () => {
  const t = pe.lm.create({ ...tiny, position: 'rope', steps: 10 });
  t.train(10);
  const plain = t.evaluate({ tokens: evalIds, length: 32, maxScored: 512 }).perplexity;
  const pi = t.evaluate({ tokens: evalIds, length: 32, maxScored: 512, rope: { type: 'linear', factor: 2 } }).perplexity;
  assert.notEqual(plain, pi);
  assert.ok(Number.isFinite(t.finetune({ context: 32, rope: { type: 'linear', factor: 2 }, steps: 3 }).loss));
  t.dispose();
});

test('lm: corpus { seed, length } trains exactly as text: the same stream from pe.corpus.generate', () => {
  for (const inst of [pe, base]) {
    const ids = inst.corpus.generate({ seed: 5, stream: 'train', length: 30000 });
    const opts = { ...tiny, text: undefined, position: 'rope', steps: 6 };
    const a = inst.lm.create({ ...opts, text: ids }), b = inst.lm.create({ ...opts, corpus: { seed: 5, length: 30000 } });
    const loss = a.train(6).loss;
    assert.equal(b.train(6).loss, loss);
    assert.equal(a.evaluate({ tokens: evalIds, length: 32, maxScored: 256 }).perplexity,
      b.evaluate({ tokens: evalIds, length: 32, maxScored: 256 }).perplexity);
    const c = inst.lm.create({ ...opts, corpus: { seed: 6, length: 30000 } });  // another stream
    assert.notEqual(c.train(6).loss, loss);
    [a, b, c].forEach((t) => t.dispose());
  }
  const d = pe.lm.create({ ...tiny, text: undefined, steps: 3, corpus: {} });  // seed 1, 2,000,000 ids
  assert.ok(Number.isFinite(d.train(3).loss));
  d.dispose();
});

test('lm: SIMD and baseline builds train alike', () => {
  const a = pe.lm.create({ ...tiny, position: 'rope', steps: 8 }), b = base.lm.create({ ...tiny, position: 'rope', steps: 8 });
  const la = a.train(8).loss, lb = b.train(8).loss;
  assert.ok(Math.abs(la - lb) < 1e-3 * la, `${la} vs ${lb}`);
  a.dispose();
  b.dispose();
});

test('lm: sizes whose parameter count wraps 32 bits are refused before any allocation (hardening #1)', () => {
  // vocab 2, 16 layers, dModel 4096, mlp 24571: 2^32 + 81,840 parameters, once a heap overflow in WebAssembly.
  for (const inst of [pe, base]) {
    const before = inst.diagnostics();
    const live = inst.lm.liveTrainers();
    assert.throws(
      () => inst.lm.create({ text: new Int32Array(100), vocab: 2, layers: 16, dModel: 4096, heads: 32, mlp: 24571, context: 64, batch: 1 }),
      (e) => e instanceof RangeError && e.message.startsWith('posenc.lm.create: dModel') && /2\^26 parameters/.test(e.message));
    assert.equal(inst.lm.liveTrainers(), live);
    assert.deepEqual(inst.diagnostics(), before, 'heap size, malloc use and stack pointer unchanged');
    const t = inst.lm.create({ ...tiny, steps: 2 });
    assert.ok(Number.isFinite(t.train(2).loss), 'the module keeps working');
    t.dispose();
  }
});

test('lm: bad arguments are refused by name; disposed trainers are refused; nothing leaks', () => {
  const before = pe.diagnostics();
  const live = pe.lm.liveTrainers();
  const bad = [
    [{ ...tiny, position: 'warp' }, RangeError, "position must be one of"],
    [{ ...tiny, heads: 3 }, RangeError, 'heads (3) must divide dModel (16)'],
    [{ ...tiny, text: undefined }, TypeError, 'give either text (the training token ids'],
    [{ ...tiny, corpus: { seed: 1 } }, TypeError, 'give either text'],
    [{ ...tiny, text: undefined, corpus: { seed: -1 } }, RangeError, 'corpus.seed must be an integer >= 0'],
    [{ ...tiny, text: undefined, corpus: { length: 17 } }, RangeError, 'corpus.length must be an integer >= 18'],
    [{ ...tiny, text: undefined, corpus: { length: 2 ** 27 } }, RangeError, 'corpus.length must be an integer'],
    [{ ...tiny, text: undefined, corpus: { stream: 'eval' } }, TypeError, 'unknown option "stream"'],
    [{ ...tiny, text: undefined, corpus: 5 }, TypeError, 'corpus must be an object'],
    [{ ...tiny, text: undefined, corpus: {}, vocab: 32 }, RangeError, 'vocab must be at least 64'],
    [{ ...tiny, text: [1, 2, 3] }, RangeError, 'text must hold at least context + 2'],
    [{ ...tiny, text: Int32Array.of(1, 99, 3) }, RangeError, 'text[1] must be in [0, 63]'],
    [{ ...tiny, lr: 0 }, RangeError, 'lr must be > 0'],
    [{ ...tiny, steps: 1.5 }, RangeError, 'steps must be an integer'],
    [{ ...tiny, depth: 3 }, TypeError, 'unknown option "depth"'],
  ];
  for (let round = 0; round < 20; round++) {
    for (const [opts, cls, text] of bad) {
      assert.throws(() => pe.lm.create(opts), (e) => e.constructor === cls && e.message.includes(text) && e.message.startsWith('posenc.lm.create: '));
    }
  }
  assert.equal(pe.lm.liveTrainers(), live);
  assert.deepEqual(pe.diagnostics(), before);
  const t = pe.lm.create(tiny);
  assert.throws(() => t.evaluate({ tokens: evalIds, length: 0 }), /length must be an integer >= 1/);
  assert.throws(() => t.finetune({ context: 32, rope: { type: 'cubic' }, steps: 1 }), /rope.type must be one of/);
  t.dispose();
  t.dispose();  // twice is harmless
  assert.throws(() => t.train(1), /has been disposed/);
  assert.equal(pe.lm.liveTrainers(), live);
});
