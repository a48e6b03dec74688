// SPDX-License-Identifier: MIT
// Types of pe.lm (lib/lm.js).

/** Position methods the language model can use. */
export type LmPosition = 'none' | 'learned' | 'sinusoidal' | 'rope' | 'alibi' | 't5' | 'kerple';

/** RoPE scaling applied at evaluation or fine-tuning (on the model's own theta and head dimension). */
export interface LmRopeScaling {
  type: 'none' | 'linear' | 'ntk' | 'yarn';
  /** >= 1 (e.g. 2 to read twice the training context). */
  factor?: number;
}

export interface LmOptions {
  /** Training token ids (each < vocab), e.g. from pe.corpus.generate({ stream: 'train' }). */
  text: Int32Array | number[];
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

export interface LmTrainer {
  /** The settings used (defaults filled in). */
  readonly config: Readonly<Required<Omit<LmOptions, 'text'>>>;
  readonly parameterCount: number;
  /**
   * Run up to `steps` more steps of the schedule.
   * @example const { loss, done, total } = trainer.train(25);
   */
  train(steps: number): { loss: number; steps: number; done: number; total: number };
  /**
   * Steps at a longer context with scaled RoPE frequencies (position interpolation needs this).
   * @example trainer.finetune({ context: 128, rope: { type: 'linear', factor: 2 }, steps: 200 });
   */
  finetune(options: { context: number; rope?: LmRopeScaling; steps: number; lr?: number }): { loss: number };
  /**
   * Perplexity over non-overlapping windows of `length` tokens. With learned positions, a length
   * past the training context is a RangeError (the table has no row for those positions).
   * @example const { perplexity } = trainer.evaluate({ tokens: evalIds, length: 256 });
   */
  evaluate(options: { tokens: Int32Array | number[]; length: number; maxScored?: number; rope?: LmRopeScaling; streaming?: boolean }): { perplexity: number; scored: number };
  /** Free the trainer's memory (also done when the object is garbage-collected). */
  dispose(): void;
}

export interface LmApi {
  readonly lm: {
    readonly positions: readonly LmPosition[];
    /** The defaults (the project's toy-scale study settings). */
    readonly defaults: Readonly<Required<Omit<LmOptions, 'text'>>>;
    /**
     * A trainer for a tiny decoder-only transformer (train short, test long).
     * @example const trainer = pe.lm.create({ text: trainIds, position: 'alibi', steps: 1000 });
     */
    create(options: LmOptions): LmTrainer;
    /** Trainers not yet disposed in this instance. */
    liveTrainers(): number;
  };
}
