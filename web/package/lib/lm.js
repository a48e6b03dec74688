// SPDX-License-Identifier: MIT
// pe.lm: train a tiny transformer language model short and test it long (C++: src/posenc/lm/).
// A trainer lives in the WebAssembly module; the object returned here holds its handle and frees it
// on dispose() (or, as a fallback, when the object is garbage-collected).
import { bool, floats, ints, integer, number, oneOf, options } from './args.js';
import { call } from './runtime.js';

const POSITIONS = ['none', 'learned', 'sinusoidal', 'rope', 'alibi', 't5', 'kerple'];
const SCALINGS = { none: 0, linear: 1, ntk: 2, yarn: 4 };

/** The study's settings (LAB.md): what create() uses for options not given. */
const DEFAULTS = Object.freeze({
  vocab: 64, dModel: 32, layers: 2, heads: 4, mlp: 128, context: 64, batch: 8, position: 'rope', tied: true,
  ropeTheta: 10000, t5Buckets: 32, t5MaxDistance: 64, seed: 1, steps: 2000, lr: 1e-2, warmup: 0.05,
  finalLrRatio: 0.1, weightDecay: 0.01, clip: 1, positionLrMult: 10, dataSeed: 1,
});
const CORPUS_VOCAB = 64;
/** Trainers that can be live at once (bindings/lm.cpp, max_trainers). */
const MAX_TRAINERS = 64;
/** Training-stream length the native command uses: 2M tokens, or more when the run would reread it. */
const corpusLength = (steps, batch, context) => Math.max(2_000_000, Math.floor((steps * batch * (context + 1)) / 4));
// Order of the settings array (bindings/lm.cpp, Slot).
const SLOTS = ['vocab', 'dModel', 'layers', 'heads', 'mlp', 'context', 'batch', 'position', 'tied', 'ropeTheta',
  't5Buckets', 't5MaxDistance', 'seed', 'steps', 'lr', 'warmup', 'finalLrRatio', 'weightDecay', 'clip',
  'positionLrMult', 'dataSeed'];

export function bind(mod) {
  const registry = typeof FinalizationRegistry === 'function' ? new FinalizationRegistry((id) => mod.lmDestroy(id)) : null;
  return {
    lm: {
      positions: POSITIONS,
      defaults: DEFAULTS,
      create: (opts) => create(mod, registry, opts),
      liveTrainers: () => mod.lmLive(),
      maxTrainers: MAX_TRAINERS,
    },
  };
}

/**
 * The nodes of the batch's reduction tree (train.hpp: [lo, hi) splits at lo + floor((hi - lo) / 2))
 * that cover [first, end) exactly, in order: [[lo, hi], ...].
 */
export function treeCover(batch, first, end) {
  const out = [];
  const visit = (lo, hi) => {
    if (hi <= first || lo >= end) return;
    if (first <= lo && hi <= end) out.push([lo, hi]);
    else {
      const mid = lo + Math.floor((hi - lo) / 2);
      visit(lo, mid);
      visit(mid, hi);
    }
  };
  visit(0, batch);
  return out;
}

/**
 * S(0, batch) from node sums `have` (a Map from 'lo,hi' to a Float32Array of P values) by the
 * tree's rule, S(lo, hi) = S(lo, mid) + S(mid, hi), added in float32 (a Float32Array store rounds
 * the double sum of two floats exactly as a float32 addition does).
 */
export function combineTree(batch, have, P, out = new Float32Array(P)) {
  const sum = (lo, hi, into) => {
    const given = have.get(`${lo},${hi}`);
    if (given) return given;
    if (hi - lo < 2) throw new RangeError(`posenc.lm: the gradient of sequence ${lo} is missing`);
    const mid = lo + Math.floor((hi - lo) / 2);
    const a = sum(lo, mid, null), b = sum(mid, hi, null);
    const target = into ?? new Float32Array(P);
    addInto(target, a, b, P);
    return target;
  };
  const root = sum(0, batch, out);
  if (root !== out) out.set(root);
  return out;
}

/** target[i] = a[i] + b[i] (float32): a monomorphic loop the JIT compiles once. */
function addInto(target, a, b, P) {
  for (let i = 0; i < P; i++) target[i] = a[i] + b[i];
}

function readScaling(where, rope, context) {
  if (rope === undefined) return [0, NaN, context];
  const r = options(where, rope, ['type', 'factor'], 'rope');
  const type = oneOf(where, 'rope.type', r.type, Object.keys(SCALINGS));
  const factor = type === 'none' ? NaN : number(where, 'rope.factor', r.factor, { min: 1, max: 1024 });
  return [SCALINGS[type], factor, context];
}

function create(mod, registry, opts) {
  const where = 'posenc.lm.create';
  const o = options(where, opts, ['text', 'corpus', ...Object.keys(DEFAULTS)]);
  const s = { ...DEFAULTS };
  const sizes = { vocab: [2, 65536], dModel: [2, 4096], layers: [1, 16], heads: [1, 4096], mlp: [1, 65536],
    context: [2, 8192], batch: [1, 4096], steps: [1, 1e7], t5Buckets: [2, 65536], t5MaxDistance: [1, 1 << 30],
    seed: [0, Number.MAX_SAFE_INTEGER], dataSeed: [0, Number.MAX_SAFE_INTEGER] };
  for (const [key, [min, max]] of Object.entries(sizes)) s[key] = integer(where, key, o[key], { min, max, fallback: DEFAULTS[key] });
  s.position = oneOf(where, 'position', o.position, POSITIONS, DEFAULTS.position);
  s.tied = bool(where, 'tied', o.tied, DEFAULTS.tied);
  s.ropeTheta = number(where, 'ropeTheta', o.ropeTheta, { above: 1, fallback: DEFAULTS.ropeTheta });
  s.lr = number(where, 'lr', o.lr, { above: 0, max: 10, fallback: DEFAULTS.lr });
  s.warmup = number(where, 'warmup', o.warmup, { min: 0, max: 1, fallback: DEFAULTS.warmup });
  s.finalLrRatio = number(where, 'finalLrRatio', o.finalLrRatio, { min: 0, max: 1, fallback: DEFAULTS.finalLrRatio });
  s.weightDecay = number(where, 'weightDecay', o.weightDecay, { min: 0, max: 1, fallback: DEFAULTS.weightDecay });
  s.clip = number(where, 'clip', o.clip, { min: 0, fallback: DEFAULTS.clip });
  s.positionLrMult = number(where, 'positionLrMult', o.positionLrMult, { above: 0, max: 1e4, fallback: DEFAULTS.positionLrMult });
  if (s.dModel % s.heads !== 0) throw new RangeError(`${where}: heads (${s.heads}) must divide dModel (${s.dModel})`);
  if (s.position === 't5' && s.t5MaxDistance <= Math.floor(s.t5Buckets / 2)) {
    throw new RangeError(`${where}: t5MaxDistance must be > t5Buckets / 2 (${Math.floor(s.t5Buckets / 2)}, the last exact distance of causal buckets), got ${s.t5MaxDistance}`);
  }
  const settings = Float64Array.from(SLOTS, (k) => (k === 'position' ? POSITIONS.indexOf(s.position) : k === 'tied' ? Number(s.tied) : s[k]));
  if ((o.text === undefined) === (o.corpus === undefined)) {
    throw new TypeError(`${where}: give either text (the training token ids, an Int32Array) or corpus ({ seed, length })`);
  }
  if (mod.lmLive() >= MAX_TRAINERS) {
    throw new RangeError(`${where}: at most ${MAX_TRAINERS} trainers can be live at once; dispose() one first`);
  }
  let idOut;
  if (o.text !== undefined) {
    const text = ints(where, 'text', o.text, { min: 0, max: s.vocab - 1 });
    if (text.length < s.context + 2) throw new RangeError(`${where}: text must hold at least context + 2 (${s.context + 2}) tokens, got ${text.length}`);
    [idOut] = call(mod, where, [settings, text], [[Int32Array, 1]], (sp, tp, out) => mod.lmCreate(sp, SLOTS.length, tp, text.length, out));
  } else {
    // The generated corpus's training stream, made inside the module (no copy through JavaScript).
    const c = options(where, o.corpus, ['seed', 'length'], 'corpus');
    const seed = integer(where, 'corpus.seed', c.seed, { min: 0, max: Number.MAX_SAFE_INTEGER, fallback: 1 });
    const length = integer(where, 'corpus.length', c.length,
      { min: s.context + 2, max: 2 ** 26, fallback: corpusLength(s.steps, s.batch, s.context) });
    if (s.vocab < CORPUS_VOCAB) throw new RangeError(`${where}: vocab must be at least ${CORPUS_VOCAB} to train on the generated corpus, got ${s.vocab}`);
    [idOut] = call(mod, where, [settings], [[Int32Array, 1]], (sp, out) => mod.lmCreateCorpus(sp, SLOTS.length, seed, length, out));
  }
  const id = idOut[0];
  const state = { id, disposed: false };
  const live = (w) => {
    if (state.disposed) throw new RangeError(`${w}: this trainer has been disposed (dispose() was called)`);
  };
  // The evaluation windows evaluate() and attentionProfile() share; rope as [type, factor, original].
  const evalWindows = (w, e) => {
    const tokens = ints(w, 'tokens', e.tokens, { min: 0, max: s.vocab - 1 });
    const length = integer(w, 'length', e.length, { min: 1, max: 65536 });
    if (tokens.length < length + 1) throw new RangeError(`${w}: tokens must hold at least length + 1 (${length + 1}) ids`);
    const maxScored = integer(w, 'maxScored', e.maxScored, { min: 1, max: 1e9, fallback: 32768 });
    return { tokens, length, maxScored, rope: readScaling(w, e.rope, s.context) };
  };
  /** One AdamW step with `gradient` (the module checks that every value is finite); the steps done. */
  const applyGradient = (w, name, gradient) => {
    const g = floats(w, name, gradient, { length: trainer.parameterCount, finite: false });
    const [out] = call(mod, w, [{ data: g, name }], [[Float64Array, 1]], (gp, o) => mod.lmApplyGradient(id, gp, g.length, o));
    return out[0];
  };
  const trainer = {
    config: Object.freeze({ ...s }),
    parameterCount: mod.lmParameterCount(id),
    /** Workers training this trainer (posenc/worker's pool makes trainers with more). */
    threads: 1,
    /** Run up to `steps` more steps of the schedule. */
    train(steps) {
      const w = 'posenc.lm.train';
      live(w);
      const n = integer(w, 'steps', steps, { min: 1, max: 1e7 });
      const [out] = call(mod, w, [], [[Float64Array, 3]], (o) => mod.lmTrain(id, n, o));
      return { loss: out[0], steps: out[1], done: out[2], total: s.steps };
    },
    /**
     * Data-parallel training (src/posenc/lm/train.hpp): for sequences [first, first + count) of the
     * next step's batch, the partial sums of the fixed tree over the batch that cover them
     * (`nodes`, [lo, hi) pairs; `gradients` holds one parameterCount block per node) and each
     * sequence's loss. Replicas (same options) draw the same batch; the nodes of all of them
     * combined by the tree's rule (combineGradients) and given to applyGradient() on every replica
     * make exactly the step train(1) takes. `apply`: the previous step's combined gradient, taken
     * first (as applyGradient(apply)), which saves a worker one message per step.
     */
    gradients(go) {
      const w = 'posenc.lm.gradients';
      live(w);
      const g = options(w, go ?? {}, ['first', 'count', 'apply']);
      const first = integer(w, 'first', g.first, { min: 0, max: s.batch - 1, fallback: 0 });
      const count = integer(w, 'count', g.count, { min: 1, max: s.batch - first, fallback: s.batch - first });
      const P = trainer.parameterCount;
      if (g.apply !== undefined) applyGradient(w, 'apply', g.apply);
      const nodes = treeCover(s.batch, first, first + count);
      const gradients = new Float32Array(nodes.length * P);
      const losses = new Float64Array(count);
      let step = 0;
      nodes.forEach(([lo, hi], n) => {
        const [sum, part, out] = call(mod, w, [], [[Float32Array, P], [Float64Array, hi - lo], [Float64Array, 1]],
          (sp, lp, o) => mod.lmGradients(id, lo, hi, sp, P, lp, hi - lo, o));
        gradients.set(sum, n * P);
        losses.set(part, lo - first);
        step = out[0];
      });
      return { nodes, gradients, losses, step };
    },
    /** Take the next step with `gradient` (parameterCount floats, the sum of every sequence's). */
    applyGradient(gradient) {
      const w = 'posenc.lm.applyGradient';
      live(w);
      return { steps: applyGradient(w, 'gradient', gradient), total: s.steps };
    },
    /** Steps at a longer context with scaled RoPE frequencies (position interpolation's fine-tune). */
    finetune(fo) {
      const w = 'posenc.lm.finetune';
      live(w);
      const f = options(w, fo, ['context', 'rope', 'steps', 'lr']);
      const context = integer(w, 'context', f.context, { min: 2, max: 8192 });
      const [type, factor] = readScaling(w, f.rope, s.context);
      const steps = integer(w, 'steps', f.steps, { min: 1, max: 1e6 });
      const lr = number(w, 'lr', f.lr, { above: 0, max: 10, fallback: s.lr * 0.1 });
      const [out] = call(mod, w, [], [[Float64Array, 1]], (o) => mod.lmFinetune(id, context, type, factor, s.context, steps, lr, o));
      return { loss: out[0] };
    },
    /**
     * Perplexity over windows of `length` tokens of `tokens` (an evaluation stream); `window` cuts
     * every layer's attention to the last `window` keys (the same windows and scored tokens).
     */
    evaluate(eo) {
      const w = 'posenc.lm.evaluate';
      live(w);
      const e = options(w, eo, ['tokens', 'length', 'maxScored', 'rope', 'streaming', 'window']);
      const { tokens, length, maxScored, rope } = evalWindows(w, e);
      const streaming = bool(w, 'streaming', e.streaming, length > 2048);
      const cut = integer(w, 'window', e.window, { min: 1, max: 65536, fallback: 0 });
      const [out] = call(mod, w, [tokens], [[Float64Array, 2]], (tp, o) => mod.lmEvaluate(id, tp, tokens.length, length, maxScored, ...rope, streaming, cut, o));
      return { perplexity: out[0], scored: out[1] };
    },
    /**
     * Per layer and head, the mean over queries of the attention weight on keys farther than each
     * distance (i - j > d), from the forward pass over the windows evaluate() scores.
     */
    attentionProfile(po) {
      const w = 'posenc.lm.attentionProfile';
      live(w);
      const e = options(w, po, ['tokens', 'length', 'maxScored', 'rope', 'distances']);
      const { tokens, length, maxScored, rope } = evalWindows(w, e);
      const L = s.context;
      const distances = e.distances === undefined ? Int32Array.from([L >> 1, L, 2 * L, 4 * L])
        : ints(w, 'distances', e.distances, { min: 0, max: 65536 });
      if (distances.length < 1 || distances.length > 64) throw new RangeError(`${w}: distances must hold 1 to 64 values, got ${distances.length}`);
      const { layers, heads } = s, D = distances.length;
      const [share, out] = call(mod, w, [tokens, distances], [[Float64Array, layers * heads * D], [Float64Array, 2]],
        (tp, dp, sp, o) => mod.lmProfile(id, tp, tokens.length, length, maxScored, ...rope, dp, D, sp, layers * heads * D, o));
      const nested = Array.from({ length: layers }, (_, l) => Array.from({ length: heads }, (_, h) => Array.from(share.subarray((l * heads + h) * D, (l * heads + h + 1) * D))));
      return { distances: Array.from(distances), share: nested, queries: out[0], perplexity: out[1] };
    },
    /** Bytes the trainer holds in the module (model_memory in src/posenc/lm/model.hpp). */
    get memory() {
      const w = 'posenc.lm.memory';
      live(w);
      const [o] = call(mod, w, [], [[Float64Array, 4]], (out) => mod.lmMemory(id, out));
      return { parameterBytes: o[0], optimizerBytes: o[1], gradientBytes: o[2], activationBytes: o[3], stepBytes: o[2] + o[3] };
    },
    /** Free the trainer's memory in the module. */
    dispose() {
      if (state.disposed) return;
      state.disposed = true;
      registry?.unregister(trainer);
      mod.lmDestroy(id);
    },
  };
  registry?.register(trainer, id, trainer);
  return trainer;
}
