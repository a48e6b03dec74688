// SPDX-License-Identifier: MIT
// A seeded fuzz run over every public function of the package, as a hostile or careless caller would
// call it: each call takes one of the documented examples below and breaks or disguises one argument
// (wrong types, BigInt/Symbol, revoked Proxies and throwing getters, detached and shared buffers,
// typed arrays of another realm or of a subclass, holes, sparse giants, extreme sizes, a polluted
// Object.prototype; tensors that are disposed, of another instance or of the wrong dtype, objects
// that only look like tensors; `out` arrays and tensors). It checks that
//   - every failure is exactly a TypeError or RangeError whose message starts with the function's name
//     and names one of its parameters, in at most 1,000 characters;
//   - every result is finite (by design, only bias tables and masked logits hold -Infinity, and
//     wavelengths of a zero frequency are Infinity), and a disguised argument (a Proxy that passes
//     reads through, another realm's typed array, a SharedArrayBuffer, a subclass, a polluted
//     prototype, a live tensor holding the same values) gives the undisguised result bit for bit;
//   - afterwards (every tensor a call made disposed) the module's malloc use and stack pointer are back at their baselines and the
//     documented examples still give the values written out here.
//
//   node tests/fuzz/js.mjs --seed 1 --calls 1000000          (from the repository, after the build)
//   node tests/fuzz/js.mjs --seed 7 --from 4123 --calls 1    (replay one reported call)
// Options: --seed S (default 1), --calls N (default 10000), --from I (first call index, default 0),
// --build simd|base|both (default both). Call i of seed S is the same on every run. One call in a
// hundred more goes through posenc/worker.
import vm from 'node:vm';

/** The package (or posenc/worker): installed by name (the packed tarball), or else the repository's web/package. */
async function loadPackage(worker = false) {
  try {
    return await import(worker ? 'posenc/worker' : 'posenc');
  } catch {
    return import(new URL(`../../web/package/${worker ? 'worker-node.js' : 'index.js'}`, import.meta.url));
  }
}

// ---------------------------------------------------------------------------------------------
// Random numbers: SplitMix64 on BigInt, one stream per (seed, call index).

function rngFor(seed, index) {
  let s = (BigInt(seed) * 0x9E3779B97F4A7C15n + BigInt(index)) & 0xFFFFFFFFFFFFFFFFn;
  const next = () => {
    s = (s + 0x9E3779B97F4A7C15n) & 0xFFFFFFFFFFFFFFFFn;
    let z = s;
    z = ((z ^ (z >> 30n)) * 0xBF58476D1CE4E5B9n) & 0xFFFFFFFFFFFFFFFFn;
    z = ((z ^ (z >> 27n)) * 0x94D049BB133111EBn) & 0xFFFFFFFFFFFFFFFFn;
    return Number((z ^ (z >> 31n)) >> 11n) / 2 ** 53;
  };
  return { below: (n) => Math.floor(next() * n), pick: (list) => list[Math.floor(next() * list.length)], chance: (p) => next() < p };
}

// ---------------------------------------------------------------------------------------------
// Hostile values (made once; none of them is ever mutated).

const realm = vm.createContext({});
const foreign = (Type, values) => new (vm.runInContext(Type.name, realm))(values);
class SubFloat32 extends Float32Array {
  get length() { throw new Error('a subclass getter ran'); }
}
class SubInt32 extends Int32Array {
  get length() { throw new Error('a subclass getter ran'); }
}
const detached = (Type) => {
  const a = new Type(4);
  structuredClone(a.buffer, { transfer: [a.buffer] });
  return a;
};
const revoked = (target) => {
  const { proxy, revoke } = Proxy.revocable(target, {});
  revoke();
  return proxy;
};
const throwing = () => new Proxy({}, { get() { throw new Error('trap'); }, ownKeys() { throw new Error('trap'); } });
const getterThrows = () => Object.defineProperty({}, 'length', { enumerable: true, get() { throw new Error('getter'); } });
const noPrimitive = () => ({ [Symbol.toPrimitive]: undefined, toString: null, valueOf: null });
const sparse = (length) => { const a = []; a.length = length; return a; };
let deepArray = [];
for (let i = 0; i < 20000; i++) deepArray = [deepArray];
let deepProxy = [];
for (let i = 0; i < 200000; i++) deepProxy = new Proxy(deepProxy, {});
const longString = 'x'.repeat(200000);

const HOSTILE = [
  () => undefined, () => null, () => true, () => 0, () => -0, () => -1, () => 0.5, () => NaN, () => Infinity,
  () => -Infinity, () => 2 ** 31, () => 2 ** 53, () => 1e308, () => 2 ** 24 + 2, () => 4097, () => 65537, () => '',
  () => '3', () => longString, () => 1n, () => 10n ** 400n, () => Symbol('s'), () => ({}), () => [],
  () => Object.create(null), () => () => 1, () => new Date(0), noPrimitive, () => revoked({}), () => revoked([]),
  throwing, getterThrows, () => detached(Float32Array), () => detached(Int32Array), () => new Float32Array(0),
  () => new Int8Array(4), () => new Float32Array(5), () => [1, , 3], () => [1n, 2n], () => [Symbol('e')], () => ['1'],
  () => [NaN, 1], () => sparse(2 ** 28), () => sparse(2 ** 32 - 1), () => deepArray, () => deepProxy,
  () => Object.create(Float32Array.prototype), () => foreign(Float32Array, [1, 2]), () => new SubFloat32(4),
  () => new Proxy(new Float32Array(4), {}), () => ({ length: 4, 0: 1, 1: 2, 2: 3, 3: 4 }), () => [[1, 2], [3, 4]],
  // Tensors that no function may use, and objects that only claim to be tensors (lib/tensor.js
  // recognises a tensor by a private brand): `m` is the call's tensorMaker().
  (m) => m.disposed(), (m) => m.foreign(), (m) => m.wrongDtype(), (m) => m.fake(), (m) => m.lookalike(),
  (m) => new Proxy(m.of(new Float32Array(4)), {}),
];

/**
 * Tensors for one call, all disposed by cleanup() after it (so malloc use returns to its baseline):
 * `pe`'s own, and `other`'s (another instance, whose tensors `pe` must refuse).
 */
function tensorMaker(pe, other, Tensor) {
  const made = [];
  const keep = (t) => { made.push(t); return t; };
  return {
    of: (values) => keep(pe.tensor(values)),
    disposed: () => { const t = pe.tensor(new Float32Array(4)); t.dispose(); return t; },
    foreign: () => keep(other.tensor(new Float32Array(4))),
    wrongDtype: () => keep(pe.tensor(new Uint8Array(4))),
    fake: () => Object.create(Tensor.prototype),
    lookalike: () => ({ dtype: 'float32', length: 4, shape: [4], data: new Float32Array(4), byteLength: 16 }),
    /** A result with any tensor in it (as `out`) read out, so results compare as arrays. */
    read: (value) => (value instanceof Tensor ? value.toArray()
      : value !== null && typeof value === 'object' && !ArrayBuffer.isView(value) && !Array.isArray(value)
        ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, v instanceof Tensor ? v.toArray() : v])) : value),
    cleanup: () => { for (const t of made.splice(0)) t.dispose(); },
  };
}

// ---------------------------------------------------------------------------------------------
// The documented examples: one or more valid calls per function, with the names of the parameters
// a message may name (besides the option keys of the example).

const f32 = (n, seed = 1) => Float32Array.from({ length: n }, (_, i) => Math.sin(seed * 7.1 + i * 1.3) * 0.5);
const ROPE = { head_dim: 8, rope_theta: 10000 };
const FREQS = { invFreq: [1, 0.1, 0.01, 0.001], attentionFactor: 1, headDim: 8 };
const TEXT = Int32Array.from({ length: 40 }, (_, i) => (i * 7) % 64);

const EXAMPLES = [
  ['sinusoidal', (pe, a) => pe.sinusoidal(a[0]), [{ length: 5, dim: 8 }], []],
  ['sinusoidal', (pe, a) => pe.sinusoidal(a[0]), [{ length: 3, dim: 6, layout: 'fairseq', paddingIdx: 1, base: 100 }], []],
  ['sinusoidal', (pe, a) => pe.sinusoidal(a[0]), [{ length: 5, dim: 8, out: new Float32Array(40) }], []],
  ['learned.table', (pe, a) => pe.learned.table(a[0]), [{ maxPositions: 4, dim: 3, seed: 2, std: 0.1 }], []],
  ['learned.lookup', (pe, a) => pe.learned.lookup(a[0]), [{ table: f32(12), maxPositions: 4, dim: 3, positions: [3, 0, 1] }], []],
  ['shaw.indices', (pe, a) => pe.shaw.indices(a[0]), [{ queries: 3, keys: 4, maxDistance: 2 }], []],
  ['shaw.attention', (pe, a) => pe.shaw.attention(a[0]), [{ q: f32(4), k: f32(6, 2), v: f32(6, 3), tableK: f32(6, 4), tableV: f32(6, 5),
    queries: 2, keys: 3, dim: 2, maxDistance: 1, causal: true }], ['logits']],
  ['t5.bucket', (pe, a) => pe.t5.bucket(a[0], a[1]), [[-5, 0, 3, 200], { numBuckets: 8, maxDistance: 16 }], ['relativePositions']],
  ['t5.bias', (pe, a) => pe.t5.bias(a[0]), [{ heads: 2, queries: 3, table: f32(16), numBuckets: 8, maxDistance: 16, bidirectional: false }], []],
  ['rope.frequencies', (pe, a) => pe.rope.frequencies(a[0], a[1]), [ROPE, { seqLen: 4 }], ['config', 'head_dim', 'rope_theta', 'hidden_size',
    'num_attention_heads']],
  ['rope.frequencies', (pe, a) => pe.rope.frequencies(a[0]), [{ head_dim: 8, rope_scaling: { rope_type: 'yarn', factor: 4,
    original_max_position_embeddings: 64 } }], ['config', 'rope_scaling', 'rope_type', 'factor', 'original_max_position_embeddings']],
  ['rope.cache', (pe, a) => pe.rope.cache(a[0]), [{ frequencies: FREQS, length: 3, offset: 2 }], ['invFreq', 'headDim', 'attentionFactor']],
  ['rope.apply', (pe, a) => pe.rope.apply(a[0], a[1]), [f32(16), { shape: [2, 1, 8], frequencies: FREQS, positions: [4, 9] }],
    ['x', 'invFreq', 'headDim', 'attentionFactor']],
  ['rope.apply', (pe, a) => pe.rope.apply(a[0], a[1]), [f32(16), { shape: [2, 1, 8], frequencies: FREQS, out: new Float32Array(16) }],
    ['x', 'invFreq', 'headDim', 'attentionFactor']],
  ['rope.inverse', (pe, a) => pe.rope.inverse(a[0], a[1]), [f32(16), { shape: [1, 2, 8], frequencies: FREQS, layout: 'interleaved' }],
    ['x', 'invFreq', 'headDim', 'attentionFactor']],
  ['rope.wavelengths', (pe, a) => pe.rope.wavelengths(a[0]), [FREQS], ['frequencies', 'invFreq', 'headDim', 'attentionFactor']],
  ['xpos.apply', (pe, a) => pe.xpos.apply(a[0], a[1]), [f32(16), { shape: [2, 1, 8], role: 'key', theta: 500 }], ['x']],
  ['alibi.slopes', (pe, a) => pe.alibi.slopes(a[0], a[1]), [6, { dtype: 'float64' }], ['heads']],
  ['alibi.bias', (pe, a) => pe.alibi.bias(a[0]), [{ heads: 2, queries: 2, keys: 3 }], []],
  ['kerple.bias', (pe, a) => pe.kerple.bias(a[0]), [{ heads: 2, queries: 3, r1: [1, 2], r2: 0.5, variant: 'power' }], []],
  ['nope.bias', (pe, a) => pe.nope.bias(a[0]), [{ queries: 2, keys: 4, queryOffset: 1 }], []],
  ['attention', (pe, a) => pe.attention(a[0]), [{ q: f32(8), k: f32(8, 2), v: f32(8, 3), shape: [2, 1, 4], causal: true, returnWeights: true,
    position: { method: 'rope', frequencies: { invFreq: [1, 0.1], headDim: 4 } } }], ['invFreq', 'headDim', 'attentionFactor', 'method', 'frequencies']],
  ['attention', (pe, a) => pe.attention(a[0]), [{ q: f32(4), k: f32(8, 2), v: f32(8, 3), shape: { queries: 1, keys: 2, heads: 1, headDim: 4 },
    position: { method: 't5', table: f32(8), numBuckets: 8, maxDistance: 16 } }], ['queries', 'keys', 'heads', 'headDim', 'method']],
  ['attention', (pe, a) => pe.attention(a[0]), [{ q: f32(8), k: f32(8, 2), v: f32(8, 3), shape: [2, 1, 4], position: 'alibi' }], ['method']],
  ['attention', (pe, a) => pe.attention(a[0]), [{ q: f32(8), k: f32(8, 2), v: f32(8, 3), shape: [2, 1, 4], causal: true,
    out: new Float32Array(8) }], []],
  ['attention', (pe, a) => pe.attention(a[0]), [{ q: f32(8), k: f32(8, 2), v: f32(8, 3), shape: [2, 1, 4],
    position: { method: 'sinusoidal', base: 100 } }], ['method', 'base', 'layout']],
  ['analysis.similarity', (pe, a) => pe.analysis.similarity(a[0]), [{ table: f32(12), dim: 4, metric: 'cosine' }], []],
  ['analysis.relativeScores', (pe, a) => pe.analysis.relativeScores(a[0]), [{ method: 'kerple', r1: [1, 2], r2: [0.5, 1], range: [-3, 3] }], []],
  ['analysis.relativeScores', (pe, a) => pe.analysis.relativeScores(a[0]), [{ method: 'rope', frequencies: FREQS, distances: [0, 5, -7] }],
    ['invFreq', 'headDim', 'attentionFactor']],
  ['analysis.relativeCheck', (pe, a) => pe.analysis.relativeCheck(a[0]), [{ frequencies: FREQS, range: [0, 4], maxPosition: 100, samples: 3 }],
    ['invFreq', 'headDim', 'attentionFactor']],
  ['analysis.wavelengths', (pe, a) => pe.analysis.wavelengths(a[0], a[1]), [{ head_dim: 8, rope_scaling: { rope_type: 'linear', factor: 2 } }, {}],
    ['config', 'rope_scaling', 'rope_type', 'factor', 'head_dim']],
  ['analysis.permutation', (pe, a) => pe.analysis.permutation(a[0]), [{ q: f32(8), k: f32(8, 2), v: f32(8, 3), shape: [4, 1, 2], seed: 3,
    position: 'alibi' }], ['method']],
  ['models.describe', (pe, a) => pe.models.describe(a[0], a[1]), [{ model_type: 'llama', hidden_size: 64, num_attention_heads: 4,
    num_hidden_layers: 2, max_position_embeddings: 128, rope_theta: 10000, rope_scaling: { rope_type: 'linear', factor: 2 } }, { seqLen: 16 }],
  ['config', 'model_type', 'hidden_size', 'num_attention_heads', 'num_hidden_layers', 'max_position_embeddings', 'rope_theta',
    'rope_scaling', 'rope_type', 'factor', 'head_dim']],
  ['corpus.generate', (pe, a) => pe.corpus.generate(a[0]), [{ seed: 2, stream: 'eval', length: 50 }], []],
  ['corpus.generate', (pe, a) => pe.corpus.generate(a[0]), [{ seed: 3, length: 20, out: new Int32Array(20) }], []],
  ['corpus.encode', (pe, a) => pe.corpus.encode(a[0]), ['Hi (there).'], ['text']],
  ['corpus.decode', (pe, a) => pe.corpus.decode(a[0]), [[1, 2, 63, 0]], ['ids']],
  ['lm.create', (pe, a) => { const t = pe.lm.create(a[0]); const p = t.parameterCount; t.dispose(); return p; },
    [{ text: TEXT, vocab: 64, dModel: 8, layers: 1, heads: 2, mlp: 8, context: 8, batch: 2, steps: 2, position: 't5', t5Buckets: 8 }],
    ['trainers', 'text', 'corpus']],
  ['lm.train', (pe, a, trainer) => trainer.train(a[0]).steps, [1], ['steps', 'trainer']],
  ['lm.evaluate', (pe, a, trainer) => trainer.evaluate(a[0]).scored, [{ tokens: TEXT, length: 8, maxScored: 16 }], ['tokens', 'trainer']],
  ['lm.finetune', (pe, a, trainer) => trainer.finetune(a[0]).loss, [{ context: 8, steps: 1, rope: { type: 'linear', factor: 1 } }],
    ['trainer', 'rope', 'type', 'factor']],
  ['lm.gradients', (pe, a, trainer) => trainer.gradients(a[0]).gradients.length, [{ first: 1, count: 1 }], ['first', 'count', 'apply', 'trainer']],
  // 960 = the fuzz trainer's parameter count (vocab 64 x d 8, one layer of d 8 and mlp 8, RoPE).
  ['lm.applyGradient', (pe, a, trainer) => trainer.applyGradient(a[0]).steps, [new Float32Array(960)], ['gradient', 'trainer']],
  // (Reads that do not depend on the trainer's weights, which lm.train and lm.finetune change.)
  ['lm.evaluate', (pe, a, trainer) => trainer.evaluate(a[0]).scored, [{ tokens: TEXT, length: 8, maxScored: 16, window: 3 }],
    ['tokens', 'trainer', 'window']],
  ['lm.attentionProfile', (pe, a, trainer) => {
    const r = trainer.attentionProfile(a[0]);
    const shares = r.share.flat(2);
    return shares.every((x) => x >= 0 && x <= 1) ? r.queries * 100 + shares.length : NaN;
  },
    [{ tokens: TEXT, length: 8, maxScored: 16, distances: [0, 2, 5] }], ['tokens', 'trainer', 'distances']],
];
// Outputs that hold -Infinity by design (masked or causal biases and logits), and wavelengths that are
// +Infinity for a frequency of 0 or one so small that 2 pi / w overflows (rope.d.ts, analysis.d.ts).
const MAY_BE_MINUS_INFINITY = new Set(['alibi.bias', 'kerple.bias', 'nope.bias', 't5.bias', 'shaw.attention']);
const MAY_BE_INFINITY = new Set(['rope.wavelengths', 'analysis.wavelengths']);
// Results compared bit for bit need deterministic calls (lm.train advances the trainer).
const STATEFUL = new Set(['lm.train', 'lm.finetune', 'lm.gradients', 'lm.applyGradient']);

// ---------------------------------------------------------------------------------------------
// Disguises: the same data in another form, which must give the same result.

function disguise(rng, value, m) {
  if (value === null || typeof value !== 'object') return value;
  const tag = ArrayBuffer.isView(value) ? value.constructor : undefined;
  // A Proxy passes reads through; a Proxy of a typed array is refused (it is not one), not disguised.
  const options = tag ? [] : [() => new Proxy(value, {})];
  if (tag) {
    options.push(() => foreign(tag, value));
    options.push(() => { const s = new tag(new SharedArrayBuffer(value.byteLength)); s.set(value); return s; });
    if (tag === Float32Array) options.push(() => { const s = new SubFloat32(value.length); Float32Array.prototype.set.call(s, value); return s; });
    if (tag === Int32Array) options.push(() => { const s = new SubInt32(value.length); Int32Array.prototype.set.call(s, value); return s; });
    options.push(() => { const b = new tag(value.length + 3); b.set(value, 3); return b.subarray(3); });
    if (tag === Float32Array || tag === Float64Array || tag === Int32Array) options.push(() => m.of(value));
  } else if (Array.isArray(value)) {
    options.push(() => Object.freeze([...value]));
  } else if (value !== null && typeof value === 'object') {
    options.push(() => Object.freeze({ ...value }));
    options.push(() => Object.assign(Object.create(null), value));
    options.push(() => Object.assign(Object.create({ inherited: 1 }), value));
  }
  return rng.pick(options)();
}

/** The places of an example's arguments that can be replaced: [container, key, path] (two levels deep). */
function slots(args) {
  const out = [];
  const walk = (container, path, depth) => {
    for (const key of Object.keys(container)) {
      out.push([container, key, `${path}${path ? '.' : ''}${key}`]);
      const v = container[key];
      if (depth < 2 && v !== null && typeof v === 'object' && !ArrayBuffer.isView(v)) walk(v, `${path}.${key}`, depth + 1);
    }
  };
  walk(args, '', 0);
  return out;
}

function clone(value) {
  if (ArrayBuffer.isView(value)) return value.slice();
  if (Array.isArray(value)) return value.map(clone);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, clone(v)]));
  return value;
}

// ---------------------------------------------------------------------------------------------
// Checking results.

function* numbersOf(value, depth = 0) {
  if (typeof value === 'number') yield value;
  else if (ArrayBuffer.isView(value)) yield* value;
  else if (value !== null && typeof value === 'object' && depth < 3) for (const v of Object.values(value)) yield* numbersOf(v, depth + 1);
}

function sameResult(a, b) {
  const x = [...numbersOf(a)], y = [...numbersOf(b)];
  return x.length === y.length && x.every((v, i) => Object.is(v, y[i]));
}

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function checkError(name, example, e, keys) {
  const where = `posenc.${name}`;
  if (e?.constructor !== TypeError && e?.constructor !== RangeError) return `threw ${e?.constructor?.name}: ${String(e?.message).slice(0, 300)}`;
  if (!e.message.startsWith(`${where}: `)) return `message does not start with "${where}: ": ${e.message.slice(0, 300)}`;
  if (e.message.length > 1000) return `message of ${e.message.length} characters`;
  const names = [...new Set(['options', ...keys, ...example[3]])];
  const text = e.message.slice(where.length + 2);
  const named = /^unknown option/.test(text) || names.some((n) => new RegExp(`(^|[^A-Za-z0-9_])${escape(n)}([^A-Za-z0-9_]|$)`).test(text));
  return named ? null : `message names no parameter (${names.join(', ')}): ${e.message.slice(0, 300)}`;
}

// ---------------------------------------------------------------------------------------------
// One call.

const POLLUTABLE = ['length', 'dim', 'heads', 'queries', 'keys', 'causal', 'method', 'rope_type', 'rope_scaling', 'head_dim',
  'positions', 'offset', 'layout', 'seed', 'frequencies', 'table', 'text', 'corpus', 'dModel', 'steps', 'r2', 'scale'];

/** An example, with one argument broken or disguised: { example, args, keys, kind, same, polluted }. */
function mutate(rng, examples, m) {
  const example = examples[rng.below(examples.length)];
  const exampleArgs = example[2];
  const args = clone(exampleArgs);
  const places = slots(args);
  const keys = places.map(([, key]) => key).filter((k) => !/^\d+$/.test(k));
  let kind;
  let same = false;  // the call must give the example's result
  let polluted;
  const r = rng.below(100);
  if (r < 55 && places.length > 0) {
    const [container, key] = rng.pick(places);
    container[key] = rng.pick(HOSTILE)(m);
    kind = `hostile ${key}`;
  } else if (r < 75 && places.length > 0) {
    const [container, key] = rng.pick(places);
    container[key] = disguise(rng, container[key], m);
    kind = `disguised ${key}`;
    same = true;
  } else if (r < 85) {
    polluted = rng.pick([...POLLUTABLE, ...keys]);
    kind = `Object.prototype.${polluted} polluted`;
    same = true;
  } else if (r < 92 && places.length > 0) {
    const targets = places.filter(([c]) => c !== args && !Array.isArray(c) && !ArrayBuffer.isView(c));
    const [container] = targets.length ? rng.pick(targets) : [typeof args[0] === 'object' && args[0] !== null ? args[0] : args];
    container[rng.pick(['zz', '__proto__', 'constructor', longString])] = 1;
    kind = 'unknown key';
  } else {
    args[rng.below(args.length + 1)] = rng.pick(HOSTILE)(m);
    kind = 'hostile argument';
  }
  return { example, args, keys, kind, same, polluted };
}

function oneCall(ctx, rng, index) {
  const m = ctx.tensors;
  let result, error, example, kind, keys, same;
  try {
    const mutated = mutate(rng, EXAMPLES, m);
    ({ example, keys, kind, same } = mutated);
    const { args, polluted } = mutated;
    try {
      if (polluted !== undefined) Object.defineProperty(Object.prototype, polluted, { value: rng.pick(HOSTILE)(m), configurable: true, writable: true });
      result = m.read(example[1](ctx.pe, args, ctx.trainer));
    } catch (e) {
      error = e;
    } finally {
      if (polluted !== undefined) delete Object.prototype[polluted];
    }
  } finally {
    m.cleanup();
  }
  const name = example[0];
  const where = `call ${index} (${ctx.build}, posenc.${name}, ${kind})`;
  if (error !== undefined) {
    if (same && !STATEFUL.has(name)) return `${where}: threw for an argument equal to the example's: ${error?.message?.slice(0, 300)}`;
    const problem = checkError(name, example, error, keys);
    return problem && `${where}: ${problem}`;
  }
  for (const x of numbersOf(result)) {
    if (Number.isNaN(x) || (!Number.isFinite(x) && !(x === -Infinity && MAY_BE_MINUS_INFINITY.has(name))
      && !(x === Infinity && MAY_BE_INFINITY.has(name)))) {
      return `${where}: the result holds ${x}`;
    }
  }
  if (same && !STATEFUL.has(name) && !sameResult(result, ctx.expected.get(example))) return `${where}: the result differs from the example's`;
  return null;
}

// ---------------------------------------------------------------------------------------------
// The documented examples, with values computed here (after the run the module must still give them).

function documentedExamplesProblem(pe) {
  const problems = [];
  const close = (a, b, tol, what) => {
    if (a.length !== b.length || a.some((x, i) => !(Math.abs(x - b[i]) <= tol))) problems.push(`${what}: got ${Array.from(a).slice(0, 8)}`);
  };
  // Vaswani: PE(p, 2i) = sin(p / 10000^(2i/d)), PE(p, 2i+1) = cos(...).
  const table = [];
  for (let p = 0; p < 4; p++) for (let i = 0; i < 4; i++) table.push((i % 2 ? Math.cos : Math.sin)(p / 10000 ** ((i - (i % 2)) / 4)));
  close(pe.sinusoidal({ length: 4, dim: 4 }), table, 1e-6, 'sinusoidal');
  close(pe.alibi.slopes(8), [1, 2, 3, 4, 5, 6, 7, 8].map((h) => 2 ** -h), 0, 'alibi.slopes');
  close(pe.rope.frequencies({ head_dim: 8, rope_theta: 10000 }).invFreq, [0, 1, 2, 3].map((i) => 10000 ** (-i / 4)), 1e-15, 'rope.frequencies');
  close(pe.corpus.encode('ab'), [pe.corpus.alphabet.indexOf('a'), pe.corpus.alphabet.indexOf('b')], 0, 'corpus.encode');
  return problems;
}

/**
 * Run `calls` calls of seed `seed` (from call index `from`) against the given builds; returns
 * { build, problems, calls, seconds, cpuSeconds, mallocBefore, mallocAfter } per build.
 */
export async function fuzz({ seed = 1, calls = 10000, from = 0, builds = ['simd', 'base'], maxProblems = 20, workerCalls = Math.ceil(calls / 100) } = {}) {
  const { init, Tensor } = await loadPackage();
  const reports = [];
  for (const build of builds) {
    const pe = await init({ simd: build === 'simd' });
    const other = await init({ simd: build !== 'simd' });
    const newTrainer = () => pe.lm.create({ text: TEXT, vocab: 64, dModel: 8, layers: 1, heads: 2, mlp: 8, context: 8, batch: 2, steps: 1000 });
    // Warm up (each example once, one trainer made and disposed), then take the baseline.
    const ctx = { pe, build, trainer: undefined, expected: new Map(), tensors: tensorMaker(pe, other, Tensor) };
    for (const example of EXAMPLES) {
      if (!STATEFUL.has(example[0]) && !example[0].startsWith('lm.')) ctx.expected.set(example, example[1](pe, clone(example[2])));
    }
    newTrainer().dispose();
    const { mallocBytes: mallocBefore, stackPointer: stackBefore } = pe.diagnostics();
    ctx.trainer = newTrainer();
    for (const example of EXAMPLES.filter((e) => ['lm.evaluate', 'lm.create', 'lm.attentionProfile'].includes(e[0]))) {
      ctx.expected.set(example, example[1](pe, clone(example[2]), ctx.trainer));
    }
    const problems = [];
    const start = performance.now(), cpuStart = process.cpuUsage();
    for (let i = from; i < from + calls && problems.length < maxProblems; i++) {
      const problem = oneCall(ctx, rngFor(seed, i), i);
      if (problem) problems.push(`seed ${seed} ${problem}`);
    }
    // The same kind of calls through posenc/worker (its arguments are structured-cloned to a thread):
    // every failure a named TypeError/RangeError, every result finite. Results are not compared (a
    // Proxy cannot be cloned; the worker refuses it).
    if (workerCalls > 0) {
      const { initWorker } = await loadPackage(true);
      const pw = await initWorker({ simd: build === 'simd' });
      const examples = EXAMPLES.filter(([name]) => !name.startsWith('lm.'));
      for (let i = from; i < from + workerCalls && problems.length < maxProblems; i++) {
        // A tensor cannot cross to the worker: the call rejects with a TypeError naming it.
        const { example, args, keys, kind, polluted } = mutate(rngFor(seed, 2 ** 40 + i), examples, ctx.tensors);
        let result, error;
        try {
          if (polluted !== undefined) continue;  // the worker's realm has its own Object.prototype
          result = await example[1](pw, args);
        } catch (e) {
          error = e;
        } finally {
          ctx.tensors.cleanup();
        }
        const where = `worker call ${i} (${build}, posenc.${example[0]}, ${kind})`;
        const problem = error !== undefined ? checkError(example[0], example, error, keys)
          : [...numbersOf(result)].some((x) => Number.isNaN(x)) ? 'the result holds NaN' : null;
        if (problem) problems.push(`seed ${seed} ${where}: ${problem}`);
      }
      pw.terminate();
    }
    const seconds = (performance.now() - start) / 1000;
    const cpu = process.cpuUsage(cpuStart);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    const trainer = ctx.trainer;
    trainer.dispose();
    // Calls on a disposed trainer are refused by name.
    for (const [method, arg] of [['train', 1], ['evaluate', {}], ['finetune', {}], ['gradients', {}], ['applyGradient', []]]) {
      try {
        trainer[method](arg);
        problems.push(`${build}: ${method} on a disposed trainer did not throw`);
      } catch (e) {
        if (!(e instanceof RangeError) || !e.message.startsWith(`posenc.lm.${method}: `)) problems.push(`${build}: disposed ${method}: ${e.message}`);
      }
    }
    const { mallocBytes: mallocAfter, stackPointer: stackAfter } = pe.diagnostics();
    if (mallocAfter !== mallocBefore) problems.push(`${build}: malloc use ${mallocBefore} bytes before the run, ${mallocAfter} after`);
    if (stackAfter !== stackBefore) problems.push(`${build}: the WebAssembly stack pointer moved from ${stackBefore} to ${stackAfter}`);
    if (pe.lm.liveTrainers() !== 0) problems.push(`${build}: ${pe.lm.liveTrainers()} trainers still live`);
    problems.push(...documentedExamplesProblem(pe).map((p) => `${build}: afterwards, ${p}`));
    reports.push({ build, problems, calls, seconds, cpuSeconds, mallocBefore, mallocAfter });
  }
  return reports;
}

// ---------------------------------------------------------------------------------------------
// Command line.

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  const arg = (name, fallback) => {
    const i = process.argv.indexOf(`--${name}`);
    return i < 0 ? fallback : process.argv[i + 1];
  };
  const builds = arg('build', 'both') === 'both' ? ['simd', 'base'] : [arg('build')];
  const reports = await fuzz({ seed: Number(arg('seed', 1)), calls: Number(arg('calls', 10000)), from: Number(arg('from', 0)), builds });
  let failed = false;
  for (const r of reports) {
    console.log(`${r.build}: ${r.calls} calls in ${r.seconds.toFixed(1)} s, ${r.cpuSeconds.toFixed(1)} s of CPU ` +
      `(${Math.round(r.calls / r.seconds)} calls/s, ${Math.round(r.calls / r.cpuSeconds)} per CPU second); ` +
      `malloc ${r.mallocBefore} -> ${r.mallocAfter} bytes; ${r.problems.length} problems`);
    for (const p of r.problems) console.log(`  ${p}`);
    failed ||= r.problems.length > 0;
  }
  process.exitCode = failed ? 1 : 0;
}
