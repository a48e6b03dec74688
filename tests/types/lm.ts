// SPDX-License-Identifier: MIT
// pe.corpus / pe.lm against their .d.ts (compiled with tsc; @ts-expect-error lines must fail).
import { init, type LmPosition, type LmTrainer } from 'posenc';

async function main(): Promise<void> {
  const pe = await init();
  const train: Int32Array = pe.corpus.generate({ seed: 1, stream: 'train', length: 10000 });
  const evalIds = pe.corpus.generate({ length: 4000, stream: 'eval' });
  const text: string = pe.corpus.decode(train.subarray(0, 100));
  const ids: Int32Array = pe.corpus.encode('some text');
  const position: LmPosition = 'alibi';
  const t: LmTrainer = pe.lm.create({ text: train, position, context: 32, steps: 10 });
  const r = t.train(5);
  const done: number = r.done;
  const { perplexity } = t.evaluate({ tokens: evalIds, length: 64, rope: { type: 'linear', factor: 2 } });
  t.finetune({ context: 64, rope: { type: 'yarn', factor: 2 }, steps: 1 });
  const dModel: number = t.config.dModel;
  const cut: number = t.evaluate({ tokens: evalIds, length: 64, window: 32 }).perplexity;
  const profile = t.attentionProfile({ tokens: evalIds, length: 64, distances: [16, 32] });
  const share: number = profile.share[0][1][0];
  const stepBytes: number = t.memory.stepBytes;
  const part = t.gradients({ first: 1, count: 2 });
  const node: [number, number] = part.nodes[0];
  const sums: Float32Array = part.gradients;
  const losses: Float64Array = part.losses;
  const { steps: taken } = t.applyGradient(new Float32Array(t.parameterCount));
  const workers: number = t.threads;
  // @ts-expect-error: nodes are read from the result, not given
  t.gradients({ nodes: [[0, 1]] });
  // @ts-expect-error: memory is read-only
  t.memory = { parameterBytes: 0, optimizerBytes: 0, gradientBytes: 0, activationBytes: 0, stepBytes: 0 };
  // @ts-expect-error: the profile takes no window (it reads the full attention)
  t.attentionProfile({ tokens: evalIds, length: 64, window: 8 });
  t.dispose();

  // @ts-expect-error: unknown position method
  pe.lm.create({ text: train, position: 'xpos' });
  const g: LmTrainer = pe.lm.create({ corpus: { seed: 2 }, position: 't5', steps: 10 });
  g.dispose();
  // @ts-expect-error: text or corpus is required
  pe.lm.create({ position: 'rope' });
  // @ts-expect-error: not both
  pe.lm.create({ text: train, corpus: { seed: 2 } });
  // @ts-expect-error: stream is 'train' | 'eval'
  pe.corpus.generate({ length: 5, stream: 'test' });
  // @ts-expect-error: rope scaling type
  t.evaluate({ tokens: evalIds, length: 64, rope: { type: 'cubic' } });

  console.log(text.length, ids.length, done, perplexity, dModel, cut, share, stepBytes, node, sums.length, losses.length, taken, workers, profile.queries, pe.lm.positions.length, pe.corpus.alphabet);
}

void main();
