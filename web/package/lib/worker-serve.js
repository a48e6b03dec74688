// SPDX-License-Identifier: MIT
// The worker's side of posenc/worker (the page's side is lib/worker-client.js): loads posenc,
// describes the library's shape, then runs each call it receives and posts the result back, its
// typed arrays transferred (they are new arrays nobody else holds). Errors travel as { name, message }.
import { init } from '../index.js';
import { PARALLEL_TRAIN, buffersOf, reviveArgs } from './worker-client.js';
import { trainShared } from './worker-train.js';

/** What the page needs to rebuild `value`: functions become calls, everything else is copied. */
function shapeOf(value) {
  if (typeof value === 'function') return { fn: true };
  if (hasFunctions(value)) {
    return { members: Object.fromEntries(Object.entries(value).map(([key, member]) => [key, shapeOf(member)])) };
  }
  return { value };
}

function hasFunctions(value) {
  if (typeof value === 'function') return true;
  if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value)) return false;
  return Object.values(value).some(hasFunctions);
}

function errorOf(e) {
  const name = e instanceof TypeError ? 'TypeError' : e instanceof RangeError ? 'RangeError' : 'Error';
  return { name, message: e instanceof Error ? e.message : String(e) };
}

/** Serve calls: `post(message, transfer)` sends to the page, `listen(fn)` receives its messages. */
export function serve(post, listen) {
  let pe;
  const handles = new Map();  // objects with methods that calls returned (pe.lm.create's trainers)
  let nextHandle = 1;
  listen(async (message) => {
    if (message.release !== undefined) {
      handles.delete(message.release);
      return;
    }
    const { id } = message;
    let answer;
    let transfer = [];
    try {
      if (message.init) {
        pe = await init(message.init);
        // Tensors stay on the page: a worker's could be neither passed nor returned.
        const { tensor, zeros, ...calls } = pe;
        answer = { id, ok: true, value: shapeOf(calls) };
      } else {
        const owner = message.handle === undefined ? pe : handles.get(message.handle);
        const args = message.sanitized ? reviveArgs(message.args) : message.args;
        // The pool's data-parallel steps run on this worker's replica (lib/worker-train.js).
        const result = message.path[0] === PARALLEL_TRAIN ? trainShared(owner, args[0])
          : message.path.slice(0, -1).reduce((object, key) => object[key], owner)[message.path.at(-1)](...args);
        if (hasFunctions(result)) {
          handles.set(nextHandle, result);
          answer = { id, ok: true, handle: nextHandle++, shape: shapeOf(result) };
        } else {
          answer = { id, ok: true, value: result };
          transfer = [...buffersOf(result, true)];
        }
      }
    } catch (e) {
      answer = { id, ok: false, error: errorOf(e) };
    }
    try {
      post(answer, transfer);
    } catch {
      // A buffer that cannot be transferred (e.g. a view of WebAssembly memory) is copied instead.
      try {
        post(answer, []);
      } catch (e) {
        post({ id, ok: false, error: errorOf(e) }, []);
      }
    }
  });
}
