// SPDX-License-Identifier: MIT
// pe.attention over a pool of workers (posenc/worker with `threads` > 1), without shared memory:
// the queries are cut into contiguous blocks, one per worker; each worker gets its block of q (with
// queryOffset moved to the block's first position) and all of k and v, and the blocks' outputs (and
// weights, [heads][queries][keys], per head) are put back together.
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
 * or null. Each block gets its own copies of its part of q and of all of k and v, marked with
 * `move(array)` to be transferred (a memcpy here, instead of structured cloning, which is slower;
 * and the caller's arrays, even if marked with transfer(), stay as they are).
 */
function plan(args, n, move) {
  const [opts] = args;
  if (n < 2 || args.length !== 1 || !isPlain(opts)) return null;
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
  const part = (x, from, to) => {
    const copy = x.slice(from, to);
    return ArrayBuffer.isView(copy) ? move(copy) : copy;
  };
  const blocks = points.slice(0, -1).map((start, i) => {
    const count = points[i + 1] - start;
    return { start, count, options: { ...opts, q: part(q, start * row, (start + count) * row), k: part(k), v: part(v),
      shape: { queries: count, keys, heads, headDim }, queryOffset: offset + start } };
  });
  return { blocks, queries, keys, heads, row };
}

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
    p = plan(args, channels.length, move);
  } catch {
    // a getter or Proxy trap that throws: the whole call reports it as one worker would
  }
  if (!p) return whole();
  const parts = await Promise.allSettled(p.blocks.map((block, i) => channels[i].call(['attention'], [block.options], undefined, signal)));
  const failed = parts.find((part) => part.status === 'rejected');
  if (!failed) return assemble(p, parts.map((part) => part.value));
  if (signal?.aborted || pool.terminated) throw failed.reason;
  return whole();
}
