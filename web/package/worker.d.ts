// SPDX-License-Identifier: MIT
// Type declarations of posenc/worker (worker.js in browsers, worker-node.js under Node), written by
// hand and checked by compiling tests/types/worker.ts.
import type { AttentionOptions, AttentionResult, InitOptions, PositionalEncodings } from './index.js';

/**
 * A function of the library made asynchronous: the same arguments (structured-cloned to the worker,
 * or moved with `transfer()`), a Promise of the same result (its typed arrays moved back to the page).
 */
type Remote<F> = F extends (...args: infer A) => infer R ? (...args: A) => Promise<RemoteObject<R>> : never;

/** Data stays data; members that are functions become asynchronous, at any depth. */
export type RemoteObject<T> = T extends ArrayBufferView | ArrayBuffer | readonly unknown[] | string | number | boolean | null | undefined
  ? T
  : T extends (...args: never[]) => unknown
    ? Remote<T>
    : { readonly [K in keyof T]: RemoteObject<T[K]> } & (HasMethods<T> extends true ? Cancellable<RemoteObject<T>> : unknown);

type HasMethods<T> = true extends { [K in keyof T]: T[K] extends (...args: never[]) => unknown ? true : false }[keyof T] ? true : false;

/** Objects whose calls can be cancelled. */
export interface Cancellable<Self> {
  /**
   * The same object with every call bound to `signal`: when it aborts, a queued call is dropped and
   * a running one stops by terminating the worker (with `threads`, every worker running a block of
   * it; a new worker starts with the next call; objects that lived in the old one, such as trainers,
   * are gone). The Promise rejects with `signal.reason`.
   * @example
   * const controller = new AbortController();
   * const job = pw.withSignal(controller.signal).attention({ q, k, v, shape: [4096, 8, 64] });
   * controller.abort();  // job rejects with an AbortError; the worker is terminated
   */
  withSignal(signal: AbortSignal): Self;
}

/** Tensors live in the page's WebAssembly memory: pe.tensor/pe.zeros are not offered, and a tensor passed to a call is a TypeError. */
type WorkerCalls = Omit<RemoteObject<PositionalEncodings>, 'attention' | 'withSignal' | 'tensor' | 'zeros'>;

/**
 * posenc in a worker: every function of `PositionalEncodings`, returning a Promise. Calls run one
 * at a time in the order they are made. Errors are the same TypeError/RangeError with the same
 * message as on the page. Data members (`simd`, `arch`, `version`, `rope.types`, `lm.defaults`, ...)
 * are plain values. `pe.lm.create` resolves to a trainer whose methods are asynchronous too.
 */
export interface PositionalEncodingsCalls extends WorkerCalls, Cancellable<PositionalEncodingsCalls> {
  /** pe.attention, in the worker. */
  attention(options: AttentionOptions & { returnWeights: true }): Promise<Required<AttentionResult>>;
  attention(options: AttentionOptions): Promise<AttentionResult>;
}

/** initWorker()'s options: init()'s, and the number of workers. */
export interface WorkerInitOptions extends InitOptions {
  /**
   * Workers to start, each with its own posenc instance (no shared memory, so no cross-origin
   * isolation is needed): an integer from 1 (default) to 256, or 'auto' for one per core the device
   * reports (navigator.hardwareConcurrency; os.availableParallelism() under Node), at most 16. `attention` is split over them by
   * blocks of queries (causal blocks balanced by the keys each query sees), its result bit-identical
   * to one worker's. `lm.create` makes a replica of the trainer on each worker (up to the batch
   * size): `train()` is data-parallel over the batch's sequences and bit-identical to one worker's
   * (the step's gradient is a fixed tree sum, lib/lm.d.ts); `finetune()` runs on every replica,
   * `evaluate()`, `attentionProfile()` and `memory` (per replica) on the first. Every other call runs on
   * the first worker. A call with `out`, a one-query call, and xPos with queries past the last key
   * run whole on the first worker.
   */
  threads?: number | 'auto';
  /**
   * Whether the pool's workers share memory with the page: true (Node always, browsers only on
   * cross-origin-isolated pages) writes a split attention call's q, k and v once into a
   * SharedArrayBuffer the pool reuses, which every worker reads (and writes its output to), and
   * synchronises data-parallel training steps with Atomics; false copies the arrays to each worker
   * and sends one message per worker and training step. Default: true where SharedArrayBuffer is
   * available; true where it is not is a TypeError. Both give the same numbers.
   */
  sharedMemory?: boolean;
}

/** What initWorker() resolves to: the calls, the pool size, and terminate(). */
export interface PositionalEncodingsWorker extends PositionalEncodingsCalls {
  /** How many workers the pool has (`threads` of initWorker, default 1). */
  readonly threads: number;
  /** Whether training steps synchronise through shared memory (see WorkerInitOptions.sharedMemory). */
  readonly sharedMemory: boolean;
  /**
   * End the workers now. Pending calls reject with an Error; later calls reject too. Under Node an
   * idle worker does not keep the process alive, so this is needed only to stop work or free memory.
   */
  terminate(): void;
}

/**
 * Start a worker (a module Web Worker in browsers, a worker_threads Worker under Node), or `threads`
 * of them, load posenc in each with `options` (as `init()`), and resolve to the asynchronous library.
 * @example
 * import { initWorker } from 'posenc/worker';
 * const pw = await initWorker({ threads: navigator.hardwareConcurrency });
 * const { output } = await pw.attention({ q, k, v, shape: [1024, 8, 64], position: 'alibi', causal: true });
 */
export declare function initWorker(options?: WorkerInitOptions): Promise<PositionalEncodingsWorker>;

/**
 * Let the worker take `array` instead of a copy: when the call is posted, its buffer moves to the
 * worker and the caller's array is detached (length 0). The whole ArrayBuffer moves, including
 * parts outside a subarray view. Arguments not marked are copied; results always move to the page.
 * @example
 * const rotated = await pw.rope.apply(transfer(q), { shape: [seq, 32, 128], frequencies: f });  // q.length is now 0
 */
export declare function transfer<T extends ArrayBufferView | ArrayBuffer>(array: T): T;
