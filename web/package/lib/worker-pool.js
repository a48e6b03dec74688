// SPDX-License-Identifier: MIT
// pe.attention over a pool of workers (posenc/worker with `threads` > 1): the queries are cut into
// contiguous blocks, one per worker; each worker gets its block of q (with queryOffset moved to the
// block's first position) and all of k and v (copies, or views of one SharedArrayBuffer when the
// pool has shared memory), and the blocks' outputs (and weights, [heads][queries][keys], per head)
// are put back together.
//
// Every query is computed on its own in the core (its scores, softmax and weighted sum of v; the
// relative biases and rotations depend on positions only), so the result is bit-identical to one
// worker's. Two cases would not be, and run unsplit on the first worker: xPos when the queries reach
// past the last key (its centre depends on the last query then), and a call with `out` (the output
// is checked and filled as one call's); so does a one-query call. A call the pool cannot read (not
// a plain options object, a shape or q it does not recognise) also runs unsplit, so its error is
// the library's own; when a block fails, the whole call runs again unsplit, so the error (or the
// result) is exactly the one worker's, never one naming block-local values.
//
// Causal blocks are balanced by work: query i sees min(keys, queryOffset + i + 1) keys, and the
// blocks end where the running sum of that reaches 1/n, 2/n, ... of the total.

import { HANDLE, PARALLEL_TRAIN } from './worker-client.js';
import { addGradients, sharedLayout } from './worker-train.js';

/**
 * Whether the pool's workers can share memory: SharedArrayBuffer exists (Node; browsers only on
 * cross-origin-isolated pages) and the page may share it with workers.
 */
export const sharedMemory = () => typeof SharedArrayBuffer === 'function' && globalThis.crossOriginIsolated !== false;

const isPlain = (value) => value !== null && typeof value === 'object'
  && [Object.prototype, null].includes(Object.getPrototypeOf(value));
const isCount = (x) => Number.isSafeInteger(x) && x >= 1;
const isFloats = (x) => Array.isArray(x) || (ArrayBuffer.isView(x) && !(x instanceof DataView));

/** [queries, keys, heads, headDim] of a shape the library accepts, or null. */
function shapeOf(shape) {
  if (Array.isArray(shape)) return shape.length === 3 && shape.every(isCount) ? [shape[0], shape[0], shape[1], shape[2]] : null;
  if (!isPlain(shape)) return null;
  const { queries, keys = queries, heads, headDim } = shape;
  return [queries, keys, heads, headDim].every(isCount) ? [queries, keys, heads, headDim] : null;
}

/** The first query of each block, then `queries`: at most n + 1 increasing indices from 0. */
function splitPoints(queries, keys, queryOffset, causal, n) {
  const cost = (i) => (causal ? Math.min(keys, queryOffset + i + 1) : keys);
  let total = 0;
  for (let i = 0; i < queries; i++) total += cost(i);
  const points = [0];
  let sum = 0;
  for (let i = 0; i < queries && points.length < n; i++) {
    sum += cost(i);
    if (sum >= (total * points.length) / n) points.push(i + 1);
  }
  points.push(queries);
  return points.filter((p, i) => i === 0 || p > points[i - 1]);
}

/**
 * How to split `args` over n workers: { blocks: [{ start, count, options }], queries, keys, heads, row }
 * or null. `store(q, k, v, queries, keys, row)` says how the arrays travel: it returns
 * { q(from, to), k(), v(), out(start, count), release() } giving each block's arrays (copies to be
 * moved, or views of shared memory) and its `out` (undefined: the worker makes the output).
 */
function plan(args, n, store) {
  const [opts] = args;
  if (n < (store.minWorkers ?? 2) || args.length !== 1 || !isPlain(opts)) return null;
  const { q, k, v, shape, position, causal, queryOffset, out } = opts;
  const dims = shapeOf(shape);
  if (!dims || out !== undefined || !isFloats(q)) return null;
  const [queries, keys, heads, headDim] = dims;
  const row = heads * headDim;
  if (queries < 2 || q.length !== queries * row) return null;
  const offset = queryOffset === undefined ? keys - queries : queryOffset;
  if (!Number.isSafeInteger(offset) || offset < 0) return null;
  const method = typeof position === 'string' ? position : isPlain(position) ? position.method : undefined;
  if (method === 'xpos' && offset + queries > keys) return null;
  const points = splitPoints(queries, keys, offset, causal === true, n);
  const put = store(q, k, v, queries, keys, row);
  const blocks = points.slice(0, -1).map((start, i) => {
    const count = points[i + 1] - start;
    const block = { ...opts, q: put.q(start * row, (start + count) * row), k: put.k(), v: put.v(),
      shape: { queries: count, keys, heads, headDim }, queryOffset: offset + start };
    const target = put.out(start * row, count * row);
    if (target) block.out = target;
    return { start, count, options: block };
  });
  return { blocks, queries, keys, heads, row, release: put.release };
}

/**
 * Without shared memory: each block gets its own copies of its part of q and of all of k and v,
 * marked with `move(array)` to be transferred (a memcpy here, instead of structured cloning, which
 * is slower; and the caller's arrays, even if marked with transfer(), stay as they are).
 */
const copies = (move) => (q, k, v) => {
  const part = (x, from, to) => {
    const copy = x.slice(from, to);
    return ArrayBuffer.isView(copy) ? move(copy) : copy;
  };
  return { q: (from, to) => part(q, from, to), k: () => part(k), v: () => part(v), out: () => undefined, release() {} };
};

// Shared buffers kept for the next calls (writing memory already touched is much cheaper than fresh
// memory: a fresh 2 MiB array costs milliseconds on some machines), up to this size each.
const KEEP_BYTES = 64 * 2 ** 20;

/**
 * With shared memory (pool.shared): q, k and v are written once into a SharedArrayBuffer the pool
 * reuses, every worker reads its block from it (posting a view shares it, nothing is copied) and
 * writes its output there. Only for float32 arrays of the lengths the shape asks for: anything else
 * goes the copying way, so that the library itself reports its errors.
 */
const arena = (pool, fallback) => Object.assign((q, k, v, queries, keys, row) => {
  const n = [queries * row, keys * row, keys * row, queries * row];
  if (![q, k, v].every((x, i) => x instanceof Float32Array && x.length === n[i])) return fallback(q, k, v);
  const bytes = 4 * (n[0] + n[1] + n[2] + n[3]);
  const free = pool.arenas ??= [];
  const at = free.findIndex((b) => b.byteLength >= bytes);
  const buffer = at >= 0 ? free.splice(at, 1)[0] : new SharedArrayBuffer(bytes);
  const view = (offset, length) => new Float32Array(buffer, 4 * offset, length);
  const [qs, ks, vs] = [view(0, n[0]), view(n[0], n[1]), view(n[0] + n[1], n[2])];
  qs.set(q);
  ks.set(k);
  vs.set(v);
  const outAt = n[0] + n[1] + n[2];
  return { q: (from, to) => qs.subarray(from, to), k: () => ks, v: () => vs, out: (start, count) => view(outAt + start, count),
    release: () => { if (buffer.byteLength <= KEEP_BYTES && free.length < 2) free.push(buffer); } };
}, { minWorkers: 1 });  // one worker gains too: nothing is cloned

/** The blocks' results as one: output [queries][row], weights [heads][queries][keys] when asked. */
function assemble({ blocks, queries, keys, heads, row }, results) {
  const output = new Float32Array(queries * row);
  const withWeights = results[0].weights !== undefined;
  const weights = withWeights ? new Float32Array(heads * queries * keys) : null;
  blocks.forEach(({ start, count }, b) => {
    output.set(results[b].output, start * row);
    if (!withWeights) return;
    for (let h = 0; h < heads; h++) {
      weights.set(results[b].weights.subarray(h * count * keys, (h + 1) * count * keys), (h * queries + start) * keys);
    }
  });
  return withWeights ? { output, weights } : { output };
}

/**
 * pe.attention(...args) on the pool's channels (lib/worker-client.js): split when it can be, else
 * on the first worker. `signal` cancels every block (each running block's worker is terminated).
 * `move` is transfer() of lib/worker-client.js.
 */
export async function poolAttention(channels, args, signal, pool, move) {
  const whole = () => channels[0].call(['attention'], args, undefined, signal);
  let p = null;
  try {
    p = plan(args, channels.length, pool.shared ? arena(pool, copies(move)) : copies(move));
  } catch {
    // a getter or Proxy trap that throws: the whole call reports it as one worker would
  }
  if (!p) return whole();
  const parts = await Promise.allSettled(p.blocks.map((block, i) => channels[i].call(['attention'], [block.options], undefined, signal)));
  const failed = parts.find((part) => part.status === 'rejected');
  try {
    if (!failed) return assemble(p, parts.map((part) => part.value));
  } finally {
    p.release();  // every block has settled: no worker reads the shared buffer any more
  }
  if (signal?.aborted || pool.terminated) throw failed.reason;
  return whole();
}

// ------------------------------------------------------------------------------------------------
// Data-parallel training (pw.lm.create with more than one worker).
//
// Every worker holds a replica of the trainer (same options, so the same initial weights, training
// stream and batches). A step: each replica computes the partial sums of the batch's reduction tree
// that cover its block of sequences (trainer.gradients; at most two per block when the blocks are
// even), they are combined by the tree's rule in float32 (as the core does: lib/lm.js,
// src/posenc/lm/train.hpp) and every replica takes the step with that sum (trainer.applyGradient).
// With shared memory the workers do this among themselves (lib/worker-train.js); without it the
// page combines and sends each step. So the replicas stay identical, and any number of workers
// trains bit-identically to one worker's trainer.train(). Everything else runs on the first
// replica, except finetune (every replica runs it, so they stay identical) and dispose.
//
// A cancelled call (withSignal) terminates the workers running it: the trainer is lost, as one
// worker's would be, and the surviving replicas are disposed.

/** `total` items split into `n` contiguous blocks: [{ first, count }], none empty. */
function blocksOf(total, n) {
  const out = [];
  for (let i = 0, first = 0; i < n && first < total; i++) {
    const count = Math.floor((total * (i + 1)) / n) - first;
    if (count > 0) out.push({ first, count });
    first += count;
  }
  return out;
}

/** pw.lm.liveTrainers() over the pool: trainers (replicas counted once each) live in all its workers. */
export async function poolLiveTrainers(channels, args, signal) {
  const counts = await Promise.all(channels.map((c) => c.call(['lm', 'liveTrainers'], args, undefined, signal)));
  return counts.reduce((a, b) => a + b, 0);
}

/** pw.lm.create(...args) with a replica on each worker the batch can use; resolves to the trainer. */
export async function poolTrainer(channels, args, signal, pool) {
  const made = await Promise.allSettled(channels.map((c) => c.call(['lm', 'create'], args, undefined, signal)));
  const replicas = made.filter((m) => m.status === 'fulfilled').map((m) => m.value);
  const failed = made.find((m) => m.status === 'rejected');
  if (failed) {
    await Promise.allSettled(replicas.map((r) => r.dispose()));
    throw failed.reason;
  }
  const { batch } = replicas[0].config;
  const spare = replicas.splice(Math.min(batch, replicas.length));
  await Promise.all(spare.map((r) => r.dispose()));
  return trainerOver(replicas, blocksOf(batch, replicas.length), pool.shared);
}

function trainerOver(all, blocks, shared) {
  const [first] = all;
  const P = first.parameterCount;
  const total = first.config.steps;
  const state = { lost: false, disposed: false, done: 0 };

  /** Run `fn`; if a cancelled call terminated a worker meanwhile, the trainer is lost. */
  async function guarded(where, signal, fn) {
    if (state.lost) throw new Error(`${where}: this trainer lived in workers that a cancelled call terminated; create it again`);
    try {
      return await fn();
    } catch (e) {
      if (signal?.aborted && !state.lost) {
        state.lost = true;
        await Promise.allSettled(all.map((r) => r.dispose()));
      }
      throw e;
    }
  }

  function view(replicas, signal) {
    const [r0] = replicas;
    const each = async (fn) => (await Promise.all(replicas.map(fn)))[0];
    return Object.freeze({
      config: first.config,
      parameterCount: P,
      memory: first.memory,
      /** How many workers train this trainer (each holds a replica). */
      threads: replicas.length,
      /** Data-parallel steps; the same result as one worker's train(steps). */
      train: (steps) => guarded('posenc.lm.train', signal, async () => {
        if (!(Number.isSafeInteger(steps) && steps >= 1 && steps <= 1e7) || state.disposed) return r0.train(steps);  // its own error
        const n = Math.min(steps, total - state.done);
        if (n > 0 && shared) {
          // Every worker runs the n steps at once, synchronised through shared memory.
          const { bytes } = sharedLayout(first.config.batch, blocks, P);
          const job = { buffer: new SharedArrayBuffer(bytes), blocks, steps: n };
          const runs = await Promise.allSettled(replicas.map((r, index) => r[HANDLE].channel.call([PARALLEL_TRAIN], [{ ...job, index }], r[HANDLE], signal)));
          const failed = runs.filter((r) => r.status === 'rejected').map((r) => r.reason);
          if (failed.length) throw failed.find((e) => !/another worker of the pool failed/.test(e?.message)) ?? failed[0];
          state.done = runs[0].value.done;
          return runs[0].value;
        }
        // Without shared memory, one message per worker and step: take the previous step (`apply`),
        // then compute this one's gradients; the last step of the call is taken on its own.
        const ask = (apply) => blocks.map(({ first: f, count }, i) => replicas[i].gradients({ first: f, count, apply }));
        let ran = 0, sum = 0;
        let gradient;
        for (; ran < n; ran++) {
          const { sum: next, loss } = addGradients(await Promise.all(ask(gradient)), first.config.batch, P);
          if (gradient) state.done++;
          gradient = next;
          sum += loss;
        }
        if (gradient) state.done = (await each((r) => r.applyGradient(gradient))).steps;
        return { loss: ran ? sum / ran : 0, steps: ran, done: state.done, total };
      }),
      gradients: (o) => guarded('posenc.lm.gradients', signal, () => r0.gradients(o)),
      applyGradient: (g) => guarded('posenc.lm.applyGradient', signal, async () => {
        const applied = await each((r) => r.applyGradient(g));
        state.done = applied.steps;
        return applied;
      }),
      finetune: (o) => guarded('posenc.lm.finetune', signal, () => each((r) => r.finetune(o))),
      evaluate: (o) => guarded('posenc.lm.evaluate', signal, () => r0.evaluate(o)),
      attentionProfile: (o) => guarded('posenc.lm.attentionProfile', signal, () => r0.attentionProfile(o)),
      dispose: async () => {
        state.disposed = true;
        await Promise.allSettled(all.map((r) => r.dispose()));
      },
      withSignal: (s) => view(replicas.map((r) => r.withSignal(s)), s),  // the replicas' withSignal checks s
    });
  }
  return view(all, undefined);
}
