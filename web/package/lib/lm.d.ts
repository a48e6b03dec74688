// SPDX-License-Identifier: MIT
// Types of pe.lm (lib/lm.js).

import type { IntData } from './tensor.js';

/** Position methods the language model can use. */
export type LmPosition = 'none' | 'learned' | 'sinusoidal' | 'rope' | 'alibi' | 't5' | 'kerple';

/** RoPE scaling applied at evaluation or fine-tuning (on the model's own theta and head dimension). */
export interface LmRopeScaling {
  type: 'none' | 'linear' | 'ntk' | 'yarn';
  /** >= 1 (e.g. 2 to read twice the training context). */
  factor?: number;
}

/** Where a trainer's training stream comes from: exactly one of `text` and `corpus`. */
export type LmData =
  /** Training token ids (each < vocab), e.g. pe.corpus.encode(yourText). */
  | { text: IntData; corpus?: never }
  /**
   * The generated corpus's training stream (pe.corpus), made inside the module: the same ids as
   * pe.corpus.generate({ seed, stream: 'train', length }) without copying them through JavaScript.
   * Default seed 1; default length max(2,000,000, steps * batch * (context + 1) / 4), as the native
   * command uses. Needs vocab >= 64.
   */
  | { corpus: { seed?: number; length?: number }; text?: never };

export interface LmSettings {
  vocab?: number;
  dModel?: number;
  layers?: number;
  heads?: number;
  mlp?: number;
  /** Training context length L. */
  context?: number;
  batch?: number;
  position?: LmPosition;
  /** Output layer tied to the token embedding. Default true. */
  tied?: boolean;
  ropeTheta?: number;
  /** T5 buckets, in [2, 65536]; t5MaxDistance must exceed half of them. Default 32. */
  t5Buckets?: number;
  /** At most the training context (longer distances would never be trained). Default 64. */
  t5MaxDistance?: number;
  seed?: number;
  /** Scheduled training steps (warm-up + cosine decay). */
  steps?: number;
  lr?: number;
  warmup?: number;
  finalLrRatio?: number;
  weightDecay?: number;
  clip?: number;
  /** Learning-rate multiplier of the T5 / KERPLE parameters. Default 10. */
  positionLrMult?: number;
  dataSeed?: number;
}

export type LmOptions = LmData & LmSettings;

export interface LmTrainer {
  /** The settings used (defaults filled in). */
  readonly config: Readonly<Required<LmSettings>>;
  readonly parameterCount: number;
  /**
   * Run up to `steps` more steps of the schedule (fewer when it ends). `loss` is the mean training
   * loss (nats per token) over the steps of this call; `steps` how many ran; `done` of `total` so far.
   * @example const { loss, done, total } = trainer.train(25);
   */
  train(steps: number): { loss: number; steps: number; done: number; total: number };
  /**
   * Steps at a longer context with scaled RoPE frequencies (position interpolation needs this).
   * `loss` is the mean training loss over those steps.
   * @example trainer.finetune({ context: 128, rope: { type: 'linear', factor: 2 }, steps: 200 });
   */
  finetune(options: { context: number; rope?: LmRopeScaling; steps: number; lr?: number }): { loss: number };
  /**
   * Perplexity over non-overlapping windows of `length` tokens. With learned positions, a length
   * past the training context is a RangeError (the table has no row for those positions).
   * @example const { perplexity } = trainer.evaluate({ tokens: evalIds, length: 256 });
   */
  evaluate(options: { tokens: IntData; length: number; maxScored?: number; rope?: LmRopeScaling; streaming?: boolean }): { perplexity: number; scored: number };
  /** Free the trainer's memory (also done when the object is garbage-collected). */
  dispose(): void;
}

export interface LmApi {
  readonly lm: {
    readonly positions: readonly LmPosition[];
    /** The defaults (the project's toy-scale study settings). */
    readonly defaults: Readonly<Required<LmSettings>>;
    /**
     * A trainer for a tiny decoder-only transformer (train short, test long). At most `maxTrainers`
     * (64) trainers are live at once: dispose() the ones you are done with.
     * @example const trainer = pe.lm.create({ corpus: { seed: 1 }, position: 'alibi', steps: 1000 });
     */
    create(options: LmOptions): LmTrainer;
    /** Trainers not yet disposed in this instance. */
    liveTrainers(): number;
    /** How many trainers can be live at once (64). */
    readonly maxTrainers: number;
  };
}
