// SPDX-License-Identifier: MIT
// Types of pe.lm (lib/lm.js).

import type { FloatData, IntData } from './tensor.js';

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
   * How many workers train this trainer: 1 here; with posenc/worker's pool (initWorker({ threads })),
   * min(threads, batch), each holding a replica.
   */
  readonly threads: number;
  /**
   * Run up to `steps` more steps of the schedule (fewer when it ends). `loss` is the mean training
   * loss (nats per token) over the steps of this call; `steps` how many ran; `done` of `total` so far.
   *
   * A step's gradient is the float32 sum of per-sequence gradients over a fixed binary tree
   * (S(b, b + 1) = g_b; S(lo, hi) = S(lo, mid) + S(mid, hi) with mid = lo + floor((hi - lo) / 2)),
   * so data-parallel training (gradients()/applyGradient(), or posenc/worker's pool) gives the same
   * model bit for bit on any number of workers.
   * @example const { loss, done, total } = trainer.train(25);
   */
  train(steps: number): { loss: number; steps: number; done: number; total: number };
  /**
   * Data-parallel training by hand (posenc/worker's pool does this for you). For sequences
   * [first, first + count) of the next step's batch (defaults: the whole batch): the tree's partial
   * sums that cover them exactly (`nodes`, [lo, hi) pairs, at most about 2 log2(batch)), one block of
   * parameterCount floats per node in `gradients`, and each sequence's loss (the step's loss is their
   * sum in sequence order). Replicas created with the same options draw the same batch. Combine every
   * replica's nodes by the tree's rule in float32 and give the sum to applyGradient() on every
   * replica: that is exactly the step train(1) takes. `apply`: the previous step's combined gradient,
   * taken first (saves a call per step). `step`: steps taken before this one.
   */
  gradients(options?: { first?: number; count?: number; apply?: FloatData }): {
    nodes: [number, number][];
    gradients: Float32Array;
    losses: Float64Array;
    step: number;
  };
  /** Take the next step with `gradient` (parameterCount finite values: the combined tree sum). */
  applyGradient(gradient: FloatData): { steps: number; total: number };
  /**
   * Steps at a longer context with scaled RoPE frequencies (position interpolation needs this).
   * `loss` is the mean training loss over those steps.
   * @example trainer.finetune({ context: 128, rope: { type: 'linear', factor: 2 }, steps: 200 });
   */
  finetune(options: { context: number; rope?: LmRopeScaling; steps: number; lr?: number }): { loss: number };
  /**
   * Perplexity over non-overlapping windows of `length` tokens (`scored` positions: every position
   * of min(max(1, floor(maxScored / length)), available) windows from the start of `tokens`; default
   * maxScored 32768). With learned positions, a length past the training context is a RangeError
   * (the table has no row for those positions).
   *
   * `window` (an integer >= 1; default: none) cuts the context: in every layer query i attends only
   * to keys j with i - window < j <= i (a band mask; positions are unchanged). The windows and the
   * scored tokens are the same as without it, so `perplexity(window: L) - perplexity(full)` is the
   * gain from the context beyond L (about 0 when the model ignores distant tokens). window >=
   * length is exactly the full attention. With n layers a prediction can still depend on up to
   * n (window - 1) + 1 tokens (each layer reaches window - 1 further back). The band always runs
   * the plain attention path (`streaming` does not apply; it needs O(32 (window + 32)) floats per
   * call) and costs about as much per token at any length (see bench/lm-context.mjs).
   * @example const full = trainer.evaluate({ tokens: evalIds, length: 1024 }).perplexity;
   * const cut = trainer.evaluate({ tokens: evalIds, length: 1024, window: 64 }).perplexity; // gain = cut - full
   */
  evaluate(options: { tokens: IntData; length: number; maxScored?: number; rope?: LmRopeScaling; streaming?: boolean; window?: number }): { perplexity: number; scored: number };
  /**
   * How far each head looks, from the trained weights: the attention weights of the model's own
   * forward pass over the same windows as evaluate({ tokens, length, maxScored, rope }), full
   * attention. For layer l, head h and distance d = distances[k]:
   *
   *     share[l][h][k] = (1 / queries) * sum over queries i of ( sum over keys j with i - j > d of w_ij )
   *
   * where i is a query's position within its window (0-based), j <= i its keys, and w_ij its softmax
   * weights (summing to 1 over j). `queries` = every position of every window (windows * length), so
   * queries with i <= d count as 0: share is in [0, 1], non-increasing in d, and 0 for
   * d >= length - 1. Default distances: [L/2, L, 2L, 4L] with L the training context (floor of L/2).
   * `perplexity` is the full-attention perplexity of those windows (the same as evaluate()'s).
   * At most 64 distances, each an integer >= 0.
   * @example const { share } = trainer.attentionProfile({ tokens: evalIds, length: 256, distances: [64] });
   * share[0][2][0]; // layer 0, head 2: mean attention beyond distance 64
   */
  attentionProfile(options: { tokens: IntData; length: number; distances?: IntData; maxScored?: number; rope?: LmRopeScaling }): {
    distances: number[];
    /** [layer][head][distance index]. */
    share: number[][][];
    queries: number;
    perplexity: number;
  };
  /**
   * Bytes this trainer holds in the module, computed by the core from the blocks it allocated:
   * `parameterBytes` (float32 weights), `optimizerBytes` (AdamW's two moments), `gradientBytes`,
   * `activationBytes` (a training step's block: activations kept for the backward pass, the
   * attention weights [batch][heads][context][context] of every layer, activation gradients and
   * scratch; for the longest context trained so far, so finetune() at a longer context grows it).
   * `stepBytes` = gradientBytes + activationBytes: the memory a training step works in beyond the
   * weights and optimiser state. Read again after finetune(). Not counted: the training stream and
   * batch, and the trainer's partial sums of the step's gradient ((ceil(log2 batch) + 1) x
   * parameterBytes).
   */
  readonly memory: {
    parameterBytes: number;
    optimizerBytes: number;
    gradientBytes: number;
    activationBytes: number;
    stepBytes: number;
  };
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
