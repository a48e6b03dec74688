// SPDX-License-Identifier: MIT
// Data-parallel training steps synchronised through shared memory (a SharedArrayBuffer: always
// under Node, and in browsers on cross-origin-isolated pages). Every worker of the pool runs this
// loop on its replica of the trainer (lib/worker-pool.js), at once, with no message per step:
//
//   compute the tree nodes of its block of the batch (trainer.gradients) and write them to its slot
//   wait at the barrier until every worker has written
//   read every worker's nodes, combine them by the tree's rule (lib/lm.js) and take the step
//
// Each worker combines the same values in the same order, so the replicas stay identical (and equal
// to one worker's train()). Slots alternate between two buffers from step to step: a worker can only
// write a buffer again after every worker has passed the next barrier, i.e. has finished reading it.
// A failing worker raises the stop flag, so the others leave the barrier instead of waiting forever.
import { combineTree, treeCover } from './lm.js';

// Control words (Int32Array): arrivals at the barrier, its generation, the stop flag.
const ARRIVED = 0, GENERATION = 1, STOP = 2, CONTROL_WORDS = 4;

/**
 * The step's gradient from every block's tree nodes ({ nodes, gradients, losses } in block order, as
 * trainer.gradients() returns them), combined by the tree's rule into `out`, and the step's loss
 * (the sequences' losses added in order, as the core does).
 */
export function addGradients(parts, batch, P, out = new Float32Array(P)) {
  const have = new Map();
  let loss = 0;
  for (const { nodes, gradients, losses } of parts) {
    nodes.forEach(([lo, hi], n) => have.set(`${lo},${hi}`, gradients.subarray(n * P, (n + 1) * P)));
    for (const l of losses) loss += l;
  }
  return { sum: combineTree(batch, have, P, out), loss };
}

/** The shared buffer's layout for `blocks` ([{ first, count }]) of a batch of `batch`, P parameters. */
export function sharedLayout(batch, blocks, P) {
  const nodes = blocks.map(({ first, count }) => treeCover(batch, first, first + count));
  const slotFloats = Math.max(...nodes.map((n) => n.length)) * P;
  const lossOffset = CONTROL_WORDS * 4 + 2 * blocks.length * slotFloats * 4;  // a multiple of 8
  return { nodes, slotFloats, lossOffset, bytes: lossOffset + 2 * batch * 8 };
}

/** Wait until all `n` workers arrived (a generation-counting barrier); false if a worker stopped. */
function barrier(control, n) {
  const generation = Atomics.load(control, GENERATION);
  if (Atomics.add(control, ARRIVED, 1) === n - 1) {
    Atomics.store(control, ARRIVED, 0);
    Atomics.add(control, GENERATION, 1);
    Atomics.notify(control, GENERATION);
  } else {
    while (Atomics.load(control, GENERATION) === generation && Atomics.load(control, STOP) === 0) {
      Atomics.wait(control, GENERATION, generation, 50);
    }
  }
  return Atomics.load(control, STOP) === 0;
}

/**
 * Run `steps` steps on `trainer` as worker `index` of `blocks.length`, through `buffer` (laid out by
 * sharedLayout). Resolves to { loss, steps, done, total } (the mean loss of the steps, as train()).
 */
export function trainShared(trainer, { buffer, blocks, index, steps }) {
  const { batch } = trainer.config;
  const P = trainer.parameterCount;
  const n = blocks.length;
  const { nodes, slotFloats, lossOffset } = sharedLayout(batch, blocks, P);
  const control = new Int32Array(buffer, 0, CONTROL_WORDS);
  const slot = (w, parity) => new Float32Array(buffer, CONTROL_WORDS * 4 + (parity * n + w) * slotFloats * 4, slotFloats);
  const losses = (parity) => new Float64Array(buffer, lossOffset + parity * batch * 8, batch);
  const { first, count } = blocks[index];
  const combined = new Float32Array(P);
  let sum = 0, ran = 0, done = 0;
  try {
    for (; ran < steps; ran++) {
      const parity = ran % 2;
      const mine = trainer.gradients({ first, count });
      slot(index, parity).set(mine.gradients);
      losses(parity).set(mine.losses, first);
      if (!barrier(control, n)) throw new Error('posenc.lm.train: another worker of the pool failed');
      const parts = blocks.map((b, w) => ({ nodes: nodes[w], gradients: slot(w, parity), losses: losses(parity).subarray(b.first, b.first + b.count) }));
      const { sum: gradient, loss } = addGradients(parts, batch, P, combined);
      sum += loss;
      done = trainer.applyGradient(gradient).steps;
    }
  } catch (e) {
    Atomics.store(control, STOP, 1);
    Atomics.notify(control, GENERATION);
    throw e;
  }
  return { loss: ran ? sum / ran : 0, steps: ran, done, total: trainer.config.steps };
}
