// SPDX-License-Identifier: MIT
// The page's side of posenc/worker: a proxy with the library's shape whose functions post each call
// to the worker (lib/worker-serve.js) and resolve with its reply.
//
// Calls run one at a time in the order made; the next one is posted when the previous reply
// arrives, so a queued call that is cancelled never reaches the worker. Cancelling the call that is
// running terminates the worker (WebAssembly cannot be interrupted otherwise); a new worker starts
// when the next call comes. Objects with methods that a call returns (pe.lm.create's trainer) stay
// in the worker and are reached through a handle; they are lost with a terminated worker.
//
// Messages, page -> worker: { id, init: { simd } } | { id, path, args, handle? } | { release: handle }
//            worker -> page: { id, ok: true, value } | { id, ok: true, handle, shape } | { id, ok: false, error }
import { bool, describe, integer, options } from './args.js';
import { isTensor } from './tensor.js';
import { poolAttention, poolLiveTrainers, poolTrainer, sharedMemory } from './worker-pool.js';

const marked = new WeakSet();  // arrays and buffers the caller allowed to be transferred

/** The handle of an object living in a worker, on each of its proxies (for lib/worker-pool.js). */
export const HANDLE = Symbol('posenc.worker.handle');
/** The path of the pool's data-parallel training loop on a trainer's handle (lib/worker-train.js). */
export const PARALLEL_TRAIN = 'lm:parallel-train';

/**
 * Mark a typed array (or ArrayBuffer) to be transferred to the worker instead of copied: after the
 * call is posted the caller's array is detached (length 0). Returns its argument.
 */
export function transfer(array) {
  if (!(ArrayBuffer.isView(array) || array instanceof ArrayBuffer)) {
    throw new TypeError(`posenc.worker.transfer: array must be a typed array or an ArrayBuffer, got ${describe(array)}`);
  }
  marked.add(array);
  return array;
}

/** The ArrayBuffers to transfer: those of marked arrays among the arguments (or of every array of a result). */
export function buffersOf(value, all = false, found = new Set(), seen = new Set()) {
  if (value === null || typeof value !== 'object' || seen.has(value)) return found;
  seen.add(value);
  if (ArrayBuffer.isView(value)) {
    if ((all || marked.has(value)) && value.buffer instanceof ArrayBuffer) found.add(value.buffer);
  } else if (value instanceof ArrayBuffer) {
    if (all || marked.has(value)) found.add(value);
  } else {
    for (const item of Object.values(value)) if (item !== null && typeof item === 'object') buffersOf(item, all, found, seen);
  }
  return found;
}

// Values structured cloning refuses (functions, symbols) travel as stand-ins, made back into a value of
// the same type in the worker, so its argument checks fail with the message the page would see.
const STAND_IN = '__posencStandIn__';

export function sanitizeArgs(value) {
  if (typeof value === 'function' || typeof value === 'symbol') return { [STAND_IN]: typeof value };
  if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return value;
  if (Array.isArray(value)) return value.map(sanitizeArgs);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, sanitizeArgs(v)]));
}

export function reviveArgs(value) {
  if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return value;
  if (typeof value[STAND_IN] === 'string') return value[STAND_IN] === 'symbol' ? Symbol('stand-in') : () => {};
  if (Array.isArray(value)) return value.map(reviveArgs);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, reviveArgs(v)]));
}

// The parameter names of the functions whose first argument is not `options` (index.d.ts), for
// naming an argument that cannot be sent.
const PARAMETERS = Object.assign(Object.create(null), {
  'rope.frequencies': ['config', 'options'], 'analysis.wavelengths': ['config', 'options'], 'models.describe': ['config', 'options'],
  'rope.apply': ['x', 'options'], 'rope.inverse': ['x', 'options'], 'xpos.apply': ['x', 'options'], 'rope.wavelengths': ['frequencies'],
  'alibi.slopes': ['heads', 'options'], 't5.bucket': ['relativePositions', 'options'], 'corpus.encode': ['text'],
  'corpus.decode': ['ids'], train: ['steps'],
});

/** The name of the first argument of `job` that cannot be prepared for sending. */
function unsendable(job) {
  const names = PARAMETERS[job.path.join('.')] ?? PARAMETERS[job.path.at(-1)] ?? ['options'];
  const i = job.args.findIndex((arg) => {
    try {
      sanitizeArgs(arg);
      return false;
    } catch {
      return true;
    }
  });
  return names[Math.max(i, 0)] ?? `argument ${i + 1}`;
}

/**
 * The name of the first tensor among the arguments of `job` (e.g. 'x', 'options.q', 'options.out'),
 * or undefined. A tensor lives in the page's WebAssembly memory: it cannot be sent to the worker.
 * Recognised by its brand only (lib/tensor.js); a value that cannot be inspected is left to posting.
 */
function tensorArgument(job) {
  const names = PARAMETERS[job.path.join('.')] ?? PARAMETERS[job.path.at(-1)] ?? ['options'];
  const seen = new Set();
  const find = (value, name, depth) => {
    if (isTensor(value)) return name;
    if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value) || depth > 4 || seen.has(value)) return undefined;
    seen.add(value);
    try {
      for (const [key, item] of Object.entries(value)) {
        const found = find(item, Array.isArray(value) ? `${name}[${key}]` : `${name}.${key}`, depth + 1);
        if (found) return found;
      }
    } catch {
      // a getter or Proxy trap that throws: posting reports it by name
    }
    return undefined;
  };
  // Only the parameters the function takes (the worker ignores any further argument).
  for (let i = 0; i < Math.min(job.args.length, names.length); i++) {
    const found = find(job.args[i], names[i], 0);
    if (found) return found;
  }
  return undefined;
}

const ERRORS = { TypeError, RangeError };
const errorOf = ({ name, message }) => new (ERRORS[name] ?? Error)(message);
const lostHandle = (where) => new Error(`${where}: this object lived in a worker that was terminated (a running call was cancelled); create it again`);

/**
 * init()'s `wasm` option in a form that can be posted to the worker: URLs become absolute strings
 * (resolved against the page, not the worker script); bytes and compiled modules are cloned; a
 * Response (or a Promise) cannot cross, so it is refused here by name. init() in the worker checks
 * the rest exactly as on the page.
 */
function sendableWasm(where, name, w) {
  if (w === undefined || w === null || typeof w !== 'object') {
    if (typeof w !== 'string') return w;
    const base = globalThis.location?.href;
    try {
      return base ? new URL(w, base).href : w;
    } catch {
      return w;
    }
  }
  if (w instanceof URL) return w.href;
  if (ArrayBuffer.isView(w) || w instanceof ArrayBuffer) return w;
  if (typeof WebAssembly === 'object' && w instanceof WebAssembly.Module) return w;
  if ((typeof Response === 'function' && w instanceof Response) || typeof w.then === 'function') {
    throw new TypeError(`${where}: ${name} cannot be a Response or a Promise in the worker form (pass its URL or its bytes)`);
  }
  if (Object.getPrototypeOf(w) === Object.prototype) {
    const out = {};
    for (const key of Object.keys(w)) out[key] = sendableWasm(where, `${name}.${key}`, w[key]);
    return out;
  }
  return w;
}

const MAX_THREADS = 256;
const AUTO_THREADS = 16;

/**
 * Start `threads` workers (option, default 1) through `spawn(onMessage, onError)` (which returns
 * { post(message, transfer), terminate(), ref?(), unref?() }), load posenc in each and resolve to
 * the proxy. Calls run on the first worker, except those call() below spreads over the pool.
 */
export function connect(where, opts, spawn, cores = 1) {
  let o;
  let threads;
  let shared;
  try {
    o = options(where, opts ?? {}, ['simd', 'wasm', 'threads', 'sharedMemory']);
    // 'auto': one worker per core the device reports, at most AUTO_THREADS.
    threads = o.threads === 'auto' ? Math.max(1, Math.min(AUTO_THREADS, Math.floor(cores) || 1))
      : integer(where, 'threads', o.threads, { min: 1, max: MAX_THREADS, fallback: 1 });
    shared = bool(where, 'sharedMemory', o.sharedMemory, sharedMemory());
    if (shared && !sharedMemory()) {
      throw new TypeError(`${where}: sharedMemory: true needs SharedArrayBuffer, which this page does not have (it is not cross-origin isolated)`);
    }
    o = { simd: o.simd, wasm: sendableWasm(where, 'wasm', o.wasm) };
  } catch (e) {
    return Promise.reject(e);
  }
  const pool = { terminated: false, shared };
  const initMessage = o.wasm === undefined ? { simd: o.simd } : o;
  const wrap = (shape, handle, signal) => remote(shape, handle, signal);
  const channels = Array.from({ length: threads }, () => channel(initMessage, spawn, pool, wrap));
  const first = channels[0];
  const release = new FinalizationRegistry(({ channel: c, handle, generation }) => c.release(handle, generation));
  const route = (path) => path.join('.');

  /**
   * Queue a call. A method of an object living in a worker runs on that worker. With more than one
   * worker, attention is split by blocks of queries and a trainer is created on every worker
   * (lib/worker-pool.js); everything else runs on the first worker.
   */
  function call(path, args, handle, signal) {
    if (handle !== undefined) return handle.channel.call(path, args, handle, signal);
    // (One worker with shared memory also takes the pool's way: the arrays are not cloned.)
    if (route(path) === 'attention' && (channels.length > 1 || pool.shared)) return poolAttention(channels, args, signal, pool, transfer);
    if (channels.length > 1) {
      if (route(path) === 'lm.create') return poolTrainer(channels, args, signal, pool);
      if (route(path) === 'lm.liveTrainers') return poolLiveTrainers(channels, args, signal);
    }
    return first.call(path, args, handle, signal);
  }

  /** An object of the shape the worker described, each function a call. */
  function build(shape, path, handle, signal) {
    if (shape.fn) return (...args) => call(path, args, handle, signal);
    if (!shape.members) return shape.value;
    const object = {};
    for (const [key, member] of Object.entries(shape.members)) object[key] = build(member, [...path, key], handle, signal);
    return object;
  }

  function root(shape, handle, signal) {
    const object = build(shape, [], handle, signal);
    object.withSignal = (s) => {
      if (!(s instanceof AbortSignal)) throw new TypeError(`posenc.worker.withSignal: signal must be an AbortSignal, got ${describe(s)}`);
      return root(shape, handle, s);
    };
    if (handle) Object.defineProperty(object, HANDLE, { value: handle });
    return deepFreeze(object);
  }

  function remote(shape, handle, signal) {
    // Every proxy of the object (withSignal makes more) holds `handle`: once none is reachable, the
    // worker may drop the object.
    release.register(handle, { channel: handle.channel, handle: handle.id, generation: handle.generation });
    return root(shape, handle, signal);
  }

  function terminate(error) {
    for (const c of channels) c.stop(error);
    pool.terminated = true;
  }

  return new Promise((resolve, reject) => {
    const loads = channels.map((c) => c.start());
    Promise.all(loads).then(([shape]) => {
      const api = build(shape, [], undefined, undefined);
      const withSignal = root(shape, undefined, undefined).withSignal;
      resolve(deepFreeze({
        ...api,
        threads,
        sharedMemory: shared,
        withSignal,
        terminate() {
          if (!pool.terminated) terminate(new Error('posenc.worker: the worker has been terminated'));
        },
      }));
    }, (error) => {
      // init()'s own errors (e.g. simd: true without SIMD) name the function that was called.
      const e = error.message.startsWith('posenc.init: ') ? new error.constructor(error.message.replace('posenc.init:', `${where}:`)) : error;
      terminate(e);
      reject(e);
    });
  });
}

/**
 * One worker and its queue: calls run one at a time in the order made. The worker starts with the
 * first call (or start()) and again with the first call after it was stopped; its first job loads
 * posenc. `wrap(shape, handle, signal)` makes the proxy of an object that stays in the worker.
 */
function channel(initMessage, spawn, pool, wrap) {
  const state = { worker: null, generation: 0, queue: [], running: null, nextId: 1 };
  let self;  // this channel (the object returned below): the owner of the handles it makes

  /** Start the worker; resolves to the library's shape once posenc is loaded in it. */
  function start() {
    const generation = ++state.generation;
    state.worker = spawn((message) => generation === state.generation && reply(message),
      (error) => generation === state.generation && fail(error));
    // The first job of every worker loads the module (queued ahead of everything else).
    return new Promise((resolve, reject) => {
      state.queue.unshift({ init: initMessage, resolve, reject: (e) => { failAll(e); reject(e); } });
      pump();
    });
  }

  function pump() {
    if (state.running || pool.terminated) return;
    const job = state.queue.shift();
    if (!job) {
      state.worker?.unref?.();
      return;
    }
    // A method of an object that lived in a terminated worker fails at once (without starting a
    // worker only to report it).
    if (job.handle && job.handle.generation !== state.generation) {
      settle(job, false, lostHandle(job.where));
      pump();
      return;
    }
    if (!state.worker) {
      state.queue.unshift(job);
      start().catch(() => {});  // a failed load rejects the queued calls (failAll)
      return;
    }
    const id = state.nextId++;
    state.running = { ...job, id };
    state.worker.ref?.();
    const message = job.init ? { id, init: job.init } : { id, path: job.path, args: job.args, handle: job.handle?.id };
    try {
      state.worker.post(message, job.init ? [] : [...buffersOf(job.args)]);
    } catch {
      // Functions, symbols and other values structured cloning refuses: the worker gets stand-ins
      // that fail its argument checks as the values themselves would (same TypeError and message).
      try {
        state.worker.post({ ...message, args: sanitizeArgs(job.args), sanitized: true }, []);
      } catch (e) {
        state.running = null;
        settle(job, false, new TypeError(`${job.where}: ${unsendable(job)} cannot be sent to the worker (a getter or Proxy trap threw, or a Proxy was revoked)`, { cause: e }));
        pump();
      }
    }
  }

  function reply(message) {
    const job = state.running;
    if (!job || message.id !== job.id) return;
    state.running = null;
    if (!message.ok) settle(job, false, errorOf(message.error));
    else if (message.handle !== undefined) {
      const handle = { id: message.handle, generation: state.generation, prefix: job.path.slice(0, -1), channel: self };
      settle(job, true, wrap(message.shape, handle, job.signal));
    }
    else settle(job, true, message.value);
    pump();
  }

  function settle(job, ok, value) {
    job.cleanup?.();
    if (ok) job.resolve(value); else job.reject(value);
  }

  function stopWorker() {
    state.worker?.terminate();
    state.worker = null;
    state.generation++;
    state.running = null;
  }

  function fail(error) {
    stopWorker();
    failAll(error instanceof Error ? error : new Error(`posenc.worker: the worker failed: ${error}`));
  }

  function failAll(error) {
    const jobs = [state.running, ...state.queue].filter(Boolean);
    state.queue = [];
    if (state.running) stopWorker();
    for (const job of jobs) settle(job, false, error);
  }

  /** Queue a call; `handle` when it is a method of an object living in the worker. */
  function call(path, args, handle, signal) {
    const where = `posenc.${[...(handle?.prefix ?? []), ...path].join('.')}`;
    return new Promise((resolve, reject) => {
      if (pool.terminated) return reject(new Error(`${where}: the worker has been terminated`));
      if (signal?.aborted) return reject(signal.reason);
      const job = { where, path, args, handle, signal, resolve, reject };
      const tensor = tensorArgument(job);
      if (tensor) {
        return reject(new TypeError(`${where}: ${tensor} is a tensor, which lives in the page's WebAssembly memory and cannot be sent `
          + 'to a worker (pass tensor.toArray() instead)'));
      }
      if (signal) {
        const onAbort = () => {
          const queued = state.queue.indexOf(job);
          if (queued >= 0) state.queue.splice(queued, 1);
          else if (state.running?.resolve === resolve) stopWorker();
          else return;
          settle(job, false, signal.reason);
          pump();
        };
        signal.addEventListener('abort', onAbort, { once: true });
        job.cleanup = () => signal.removeEventListener('abort', onAbort);
      }
      state.queue.push(job);
      pump();
    });
  }

  self = {
    start,
    call,
    /** Let the worker drop an object nobody can reach (only the worker that made it). */
    release(handle, generation) {
      if (state.worker && generation === state.generation) state.worker.post({ release: handle });
    },
    /** Reject everything pending with `error` and end the worker. */
    stop(error) {
      failAll(error);
      stopWorker();
    },
  };
  return self;
}

function deepFreeze(object) {
  for (const value of Object.values(object)) {
    if (value && typeof value === 'object' && !ArrayBuffer.isView(value)) deepFreeze(value);
  }
  return Object.freeze(object);
}
