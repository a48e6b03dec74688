// SPDX-License-Identifier: MIT
// Hostile and careless arguments through the installed package, each case built from a reproducer:
// engine errors that escaped unnamed, sparse and holey arrays, a polluted Object.prototype, and
// errors that named another function or a C++ parameter. Both builds.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import vm from 'node:vm';

import { init } from 'posenc';

const builds = [['simd', await init()], ['baseline', await init({ simd: false })]];

/** fn() throws exactly `cls` with a message that starts with `where: ` and contains `text`, in at most 300 characters. */
function refuses(fn, cls, where, text) {
  assert.throws(fn, (e) => {
    assert.equal(e.constructor, cls, e.message);
    assert.ok(e.message.startsWith(`${where}: `), e.message);
    assert.ok(e.message.includes(text), `"${e.message}" should contain "${text}"`);
    assert.ok(e.message.length <= 300, `${e.message.length} characters`);
    return true;
  });
}

const revoked = (target) => {
  const { proxy, revoke } = Proxy.revocable(target, {});
  revoke();
  return proxy;
};
const detachedFloat32 = () => {
  const a = new Float32Array(4);
  structuredClone(a.buffer, { transfer: [a.buffer] });
  return a;
};
const TABLE = Float32Array.from([1, 2, 3, 4, 0.5, -1]);

for (const [build, pe] of builds) {
  test(`${build}: revoked Proxies, throwing getters and deep Proxy chains are TypeErrors naming the parameter`, () => {
    refuses(() => pe.t5.bucket(revoked([])), TypeError, 'posenc.t5.bucket', 'relativePositions could not be read');
    refuses(() => pe.sinusoidal(revoked({})), TypeError, 'posenc.sinusoidal', 'options must be an object, got a revoked Proxy');
    refuses(() => pe.sinusoidal({ dim: 4, get length() { throw new Error('user code'); } }), TypeError, 'posenc.sinusoidal', 'length could not be read');
    const trap = new Proxy([1, 2], { get() { throw new Error('trap'); } });
    refuses(() => pe.analysis.similarity({ table: trap, dim: 1 }), TypeError, 'posenc.analysis.similarity', 'table could not be read');
    let deep = [1, 2, 3, 4];
    for (let i = 0; i < 200000; i++) deep = new Proxy(deep, {});
    refuses(() => pe.analysis.permutation({ q: deep, k: TABLE, v: TABLE, shape: [3, 1, 2] }), TypeError, 'posenc.analysis.permutation', 'q');
    // A Proxy that passes reads through is read like the array it wraps.
    assert.deepEqual(pe.t5.bucket(new Proxy([-5, 0, 3], {})), pe.t5.bucket([-5, 0, 3]));
  });

  test(`${build}: detached buffers, foreign realms and subclasses of typed arrays`, () => {
    refuses(() => pe.analysis.similarity({ table: detachedFloat32(), dim: 2 }), TypeError, 'posenc.analysis.similarity', 'table is a Float32Array whose ArrayBuffer is detached');
    // Typed arrays of another realm (an iframe, node:vm) are accepted, read through a view of their memory.
    const expected = pe.analysis.similarity({ table: TABLE, dim: 2 });
    const Foreign = vm.runInNewContext('Float32Array');
    assert.deepEqual(pe.analysis.similarity({ table: new Foreign(TABLE), dim: 2 }), expected);
    assert.deepEqual(pe.t5.bucket(vm.runInNewContext('new Int32Array([-5, 0, 3])')), pe.t5.bucket([-5, 0, 3]));
    // A subclass's overridden getters are never called; its elements are used.
    let calls = 0;
    class Sub extends Float32Array {
      get length() { calls++; throw new Error('user code'); }
    }
    const sub = new Sub(6);
    Float32Array.prototype.set.call(sub, TABLE);
    assert.deepEqual(pe.analysis.similarity({ table: sub, dim: 2 }), expected);
    assert.equal(calls, 0);
    // Shared memory is read like any other.
    const shared = new Float32Array(new SharedArrayBuffer(24));
    shared.set(TABLE);
    assert.deepEqual(pe.analysis.similarity({ table: shared, dim: 2 }), expected);
    // Something that only looks like a typed array is not one.
    refuses(() => pe.analysis.similarity({ table: Object.create(Float32Array.prototype), dim: 2 }), TypeError,
      'posenc.analysis.similarity', 'table must be a Float32Array, Float64Array or array of numbers (or a tensor), got an object');
    refuses(() => pe.analysis.similarity({ table: new Int8Array(4), dim: 2 }), TypeError, 'posenc.analysis.similarity', 'got an Int8Array');
  });

  test(`${build}: BigInt, Symbol, holes and null are TypeErrors naming the element`, () => {
    refuses(() => pe.t5.bucket([1n]), TypeError, 'posenc.t5.bucket', 'relativePositions[0] must be a number, got 1n');
    refuses(() => pe.t5.bucket([0, Symbol('s')]), TypeError, 'posenc.t5.bucket', 'relativePositions[1] must be a number, got a symbol');
    refuses(() => pe.t5.bucket([1, , 3]), TypeError, 'posenc.t5.bucket', 'relativePositions[1] must be a number, got undefined');  // eslint-disable-line no-sparse-arrays
    refuses(() => pe.corpus.decode([1, undefined]), TypeError, 'posenc.corpus.decode', 'ids[1] must be a number, got undefined');
    refuses(() => pe.analysis.similarity({ table: [1, , 3, 4], dim: 2 }), TypeError, 'posenc.analysis.similarity', 'table[1] must be a number');  // eslint-disable-line no-sparse-arrays
    refuses(() => pe.t5.bucket(null), TypeError, 'posenc.t5.bucket', 'relativePositions must be an Int32Array or array of integers (or an int32 tensor), got null');
    refuses(() => pe.sinusoidal({ length: 10n ** 400n, dim: 4 }), TypeError, 'posenc.sinusoidal', 'length must be a number, got a BigInt');
    // An object without a primitive value is described, never converted.
    const noPrimitive = { [Symbol.toPrimitive]: undefined, toString: null, valueOf: null };
    refuses(() => pe.sinusoidal({ length: noPrimitive, dim: 4 }), TypeError, 'posenc.sinusoidal', 'length must be a number, got an object');
  });

  test(`${build}: a sparse array's length is checked before any element is read`, () => {
    let reads = 0;
    const giant = [];
    giant.length = 2 ** 28;
    const counted = new Proxy(giant, { get: (t, k) => { if (k !== 'length') reads++; return t[k]; } });
    refuses(() => pe.corpus.decode(counted), RangeError, 'posenc.corpus.decode', `ids must have at most ${2 ** 26} elements, got ${2 ** 28}`);
    refuses(() => pe.t5.bucket(counted), RangeError, 'posenc.t5.bucket', 'relativePositions must have at most');
    refuses(() => pe.analysis.similarity({ table: counted, dim: 1 }), RangeError, 'posenc.analysis.similarity', 'table must have at most');
    assert.equal(reads, 0);
    // Within the limit, the first hole stops the reading.
    const sparse = [];
    sparse.length = 2 ** 20;
    refuses(() => pe.corpus.decode(sparse), TypeError, 'posenc.corpus.decode', 'ids[0] must be a number, got undefined');
  });

  test(`${build}: options and configs are read from own properties only (a polluted Object.prototype changes nothing)`, () => {
    const invFreq = [0, 1, 2, 3].map((i) => 10000 ** (-i / 4));
    const table = pe.sinusoidal({ length: 5, dim: 8 });
    const polluted = { rope_type: 'linear', factor: 8, dim: 3, max: 1, min: 100, fallback: 7, length: 2, finite: false, heads: 9,
      Int8Array: Float32Array };
    try {
      for (const [key, value] of Object.entries(polluted)) Object.defineProperty(Object.prototype, key, { value, configurable: true, writable: true });
      const f = pe.rope.frequencies({ head_dim: 8 });
      assert.equal(f.ropeType, 'default');
      f.invFreq.forEach((w, i) => assert.ok(Math.abs(w - invFreq[i]) <= 1e-15 * invFreq[i], `${w} vs ${invFreq[i]}`));
      assert.deepEqual(pe.sinusoidal({ length: 5, dim: 8 }), table);
      assert.equal(pe.nope.bias({ queries: 2 }).length, 4, 'heads defaults to 1, not to the polluted 9');
      refuses(() => pe.sinusoidal({ length: 2 }), TypeError, 'posenc.sinusoidal', 'dim must be a number, got undefined');
      refuses(() => pe.analysis.similarity({ table: [1, NaN], dim: 1 }), RangeError, 'posenc.analysis.similarity', 'table[1] must be finite');
      refuses(() => pe.analysis.similarity({ table: new Int8Array(4), dim: 2 }), TypeError, 'posenc.analysis.similarity', 'got an Int8Array');
    } finally {
      for (const key of Object.keys(polluted)) delete Object.prototype[key];
    }
  });

  test(`${build}: errors name the function called and its own parameters`, () => {
    const q = new Float32Array(4);
    refuses(() => pe.attention({ q, k: q, v: q, shape: [2, 1, 2], position: { method: 'sinusoidal', base: -1 } }), RangeError,
      'posenc.attention', 'position.base must be > 0, got -1');
    refuses(() => pe.attention({ q, k: q, v: q, shape: [2, 1, 2], position: { method: 'sinusoidal', layout: 'fairseq' } }), RangeError,
      'posenc.attention', "position.layout 'fairseq' needs headDim >= 4");
    refuses(() => pe.attention({ q, k: q, v: q, shape: [4, 1, 1], position: { method: 'xpos' } }), RangeError,
      'posenc.attention', 'headDim must be even');
    refuses(() => pe.xpos.apply(new Float32Array(3), { shape: [1, 1, 3], role: 'query' }), RangeError,
      'posenc.xpos.apply', 'shape[2] (headDim) must be even');
    refuses(() => pe.attention({ q, k: q, v: q, shape: [2, 1, 2], position: { method: 't5', table: new Float32Array(2 ** 17), numBuckets: 2 ** 17 } }),
      RangeError, 'posenc.attention', 'position.numBuckets must be an integer <= 65536');
    // A head dimension derived from hidden_size is bounded like a given head_dim (the fuzz run found it unbounded).
    const huge = { model_type: 'llama', hidden_size: 2 ** 40, num_attention_heads: 4, num_hidden_layers: 2, max_position_embeddings: 128 };
    for (const [fn, where] of [[() => pe.models.describe(huge), 'posenc.models.describe'], [() => pe.rope.frequencies(huge), 'posenc.rope.frequencies']]) {
      refuses(fn, RangeError, where, 'hidden_size / num_attention_heads gives a head dimension of 274877906944; it must be at most 8192');
    }
    // The user's values are described, never converted: no toString runs, the message stays short.
    let calls = 0;
    const loud = { toString() { calls++; return 'x'.repeat(200000); } };
    for (const headDim of [Symbol('h'), loud]) {
      refuses(() => pe.rope.apply(new Float32Array(4), { shape: [1, 1, 4], frequencies: { invFreq: [1], headDim } }), TypeError,
        'posenc.rope.apply', 'frequencies.headDim must be a number');
    }
    refuses(() => pe.sinusoidal({ length: 'x'.repeat(200000), dim: 4 }), TypeError, 'posenc.sinusoidal', 'length must be a number, got "xxxx');
    refuses(() => pe.sinusoidal({ length: 4, dim: 4, ['y'.repeat(200000)]: 1 }), TypeError, 'posenc.sinusoidal', 'unknown option "yyyy');
    assert.equal(calls, 0);
  });

  test(`${build}: lm limits are checked in JavaScript and named as in JavaScript`, () => {
    const text = Int32Array.from({ length: 40 }, (_, i) => i % 64);
    const tiny = { text, dModel: 4, layers: 1, heads: 1, mlp: 4, context: 4, batch: 1, steps: 1 };
    refuses(() => pe.lm.create({ ...tiny, position: 't5', t5Buckets: 70000 }), RangeError, 'posenc.lm.create', 't5Buckets must be an integer <= 65536');
    refuses(() => pe.lm.create({ ...tiny, position: 't5', t5Buckets: 32, t5MaxDistance: 16 }), RangeError, 'posenc.lm.create', 't5MaxDistance must be > t5Buckets / 2 (16, the last exact distance of causal buckets), got 16');
    assert.equal(pe.lm.maxTrainers, 64);
    const before = pe.lm.liveTrainers();
    const trainers = [];
    try {
      while (pe.lm.liveTrainers() < pe.lm.maxTrainers) trainers.push(pe.lm.create(tiny));
      refuses(() => pe.lm.create(tiny), RangeError, 'posenc.lm.create', 'at most 64 trainers can be live at once');
    } finally {
      for (const t of trainers) t.dispose();
    }
    assert.equal(pe.lm.liveTrainers(), before);
    const t = pe.lm.create(tiny);
    t.dispose();
    refuses(() => t.train(1), RangeError, 'posenc.lm.train', 'this trainer has been disposed');
    refuses(() => t.evaluate({ tokens: text, length: 4 }), RangeError, 'posenc.lm.evaluate', 'this trainer has been disposed');
    refuses(() => t.finetune({ context: 4, steps: 1 }), RangeError, 'posenc.lm.finetune', 'this trainer has been disposed');
  });
}

test('init: hostile options are a rejected promise naming the parameter', async () => {
  for (const [opts, text] of [[revoked({}), 'options must be an object, got a revoked Proxy'],
    [{ get simd() { throw new Error('user code'); } }, 'simd could not be read'], [{ simd: Symbol('s') }, 'simd must be true, false or']]) {
    await assert.rejects(init(opts), (e) => e instanceof TypeError && e.message.startsWith('posenc.init: ') && e.message.includes(text));
  }
});

test('posenc/worker: an argument that cannot be sent is a TypeError naming it; the worker checks the rest', async () => {
  const { initWorker } = await import('posenc/worker');
  const pw = await initWorker();
  try {
    const cases = [
      [() => pw.sinusoidal(revoked({})), 'posenc.sinusoidal: options cannot be sent to the worker'],
      [() => pw.rope.apply(new Float32Array(4), { shape: [1, 1, 4], get frequencies() { throw new Error('user code'); } }), 'posenc.rope.apply: options cannot be sent'],
      [() => pw.t5.bucket([1, , 3]), 'posenc.t5.bucket: relativePositions[1] must be a number'],  // eslint-disable-line no-sparse-arrays
    ];
    for (const [call, text] of cases) {
      await assert.rejects(call(), (e) => e instanceof TypeError && e.message.startsWith(text) && e.message.length <= 300);
    }
  } finally {
    pw.terminate();
  }
});
