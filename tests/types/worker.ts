// SPDX-License-Identifier: MIT
// posenc/worker against worker.d.ts (compiled with tsc; the lines marked to expect an error must fail).
import { initWorker, transfer, type PositionalEncodingsWorker } from 'posenc/worker';

async function main(): Promise<void> {
  const pw: PositionalEncodingsWorker = await initWorker({ simd: 'auto' });
  const pool = await initWorker({ threads: 2, simd: 'auto', sharedMemory: false });
  const size: number = pool.threads;
  const shared: boolean = pool.sharedMemory;
  const replicated = await pool.lm.create({ corpus: { seed: 1 }, steps: 10, batch: 4 });
  const workers: number = replicated.threads;
  pool.terminate();
  const simd: boolean = pw.simd;
  const q = new Float32Array(4 * 2 * 8);
  const { output, weights } = await pw.attention({ q, k: q, v: q, shape: [4, 2, 8], position: 'alibi', returnWeights: true });
  const w: Float32Array = weights;
  const table = await pw.sinusoidal({ length: 16, dim: 8 });
  const blob = new Blob([table, output]);
  const f = await pw.rope.frequencies({ head_dim: 8 });
  const rotated: Float32Array = await pw.rope.apply(transfer(q), { shape: [4, 2, 8], frequencies: f });
  const types: readonly string[] = pw.rope.types;
  const controller = new AbortController();
  const cancellable = pw.withSignal(controller.signal);
  const pending: Promise<{ output: Float32Array }> = cancellable.attention({ q, k: q, v: q, shape: [4, 2, 8] });
  controller.abort();
  await pending.catch(() => undefined);
  const trainer = await pw.lm.create({ corpus: { seed: 1 }, steps: 10 });
  const { loss } = await trainer.train(5);
  const position: string = trainer.config.position;
  await trainer.withSignal(controller.signal).evaluate({ tokens: [1, 2, 3], length: 2 });
  await trainer.dispose();
  const { heapBytes } = await pw.diagnostics();
  pw.terminate();

  // @ts-expect-error: tensors stay on the page: the worker offers no pe.tensor
  void pw.tensor([1, 2]);
  // @ts-expect-error: results are Promises, not arrays
  const notYet: Float32Array = pw.sinusoidal({ length: 16, dim: 8 });
  // @ts-expect-error: the options are still checked
  await pw.alibi.bias({ heads: 2, queries: 3, causal: 'yes' });
  // @ts-expect-error: train takes a number of steps
  await trainer.train('5');
  // @ts-expect-error: only typed arrays and ArrayBuffers can be transferred
  transfer([1, 2, 3]);
  // @ts-expect-error: threads is a number
  await initWorker({ threads: '2' });
  // @ts-expect-error: threads is read-only
  pw.threads = 4;
  // @ts-expect-error: withSignal needs an AbortSignal
  pw.withSignal(5);
  // @ts-expect-error: sharedMemory is a boolean
  await initWorker({ sharedMemory: 'auto' });

  console.log(size, shared, workers, simd, w.length, blob.size, rotated.length, types.length, loss, position, heapBytes, notYet);
}

void main();
