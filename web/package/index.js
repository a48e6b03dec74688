// SPDX-License-Identifier: MIT
// posenc: positional encodings of transformers, in WebAssembly.
//
//   import { init } from 'posenc';
//   const pe = await init();              // SIMD build where the runtime supports it
//   const table = pe.sinusoidal({ length: 128, dim: 64 });
//
// Everything numeric is computed by the C++ core; this file only loads the module and puts together
// the members each method's wrapper (lib/<method>.js, `bind(mod)`) contributes.
import { describe, options } from './lib/args.js';
import { simdSupported } from './lib/runtime.js';
import * as alibi from './lib/alibi.js';
import * as analysis from './lib/analysis.js';
import * as attention from './lib/attention.js';
import * as corpus from './lib/corpus.js';
import * as kerple from './lib/kerple.js';
import * as learned from './lib/learned.js';
import * as lm from './lib/lm.js';
import * as nope from './lib/nope.js';
import * as rope from './lib/rope.js';
import * as shaw from './lib/shaw.js';
import * as sinusoidal from './lib/sinusoidal.js';
import * as t5 from './lib/t5.js';
import * as tensor from './lib/tensor.js';

export { Tensor } from './lib/tensor.js';

export const version = '0.1.0';

const METHODS = [tensor, sinusoidal, learned, shaw, t5, rope, alibi, kerple, nope, attention, analysis, lm, corpus];

const builds = {
  simd: () => import('./dist/posenc_simd.mjs'),
  base: () => import('./dist/posenc_base.mjs'),
};
const loaded = new Map();  // build name -> Promise<PositionalEncodings>

/**
 * Load posenc. `simd`: 'auto' (default) picks the SIMD build when WebAssembly SIMD is supported,
 * true requires it, false loads the baseline build. Each build is loaded once and shared.
 */
export function init(opts = {}) {
  const where = 'posenc.init';
  let o;
  try {
    o = options(where, opts, ['simd']);
    if (o.simd !== undefined && o.simd !== 'auto' && typeof o.simd !== 'boolean') {
      throw new TypeError(`${where}: simd must be true, false or 'auto', got ${describe(o.simd)}`);
    }
  } catch (e) {
    return Promise.reject(e);
  }
  const supported = simdSupported();
  if (o.simd === true && !supported) {
    return Promise.reject(new RangeError(`${where}: simd is true but this runtime has no WebAssembly SIMD`));
  }
  const build = (o.simd ?? 'auto') === 'auto' ? (supported ? 'simd' : 'base') : (o.simd ? 'simd' : 'base');
  if (!loaded.has(build)) {
    const promise = builds[build]()
      .then(({ default: create }) => create())
      .then((mod) => api(mod, build === 'simd'));
    promise.catch(() => loaded.delete(build));  // a failed load may be retried
    loaded.set(build, promise);
  }
  return loaded.get(build);
}

function deepFreeze(object) {
  for (const value of Object.values(object)) {
    if (value && typeof value === 'object' && !ArrayBuffer.isView(value)) deepFreeze(value);
  }
  return Object.freeze(object);
}

function api(mod, simd) {
  const pe = {
    simd,
    arch: mod.simdArch(),
    version,
    diagnostics: () => ({
      heapBytes: mod.HEAPU8.length,
      mallocBytes: mod.heapInUse(),
      stackPointer: mod.stackPointer(),
      tensors: tensor.tensorTotals(mod).count,
      tensorBytes: tensor.tensorTotals(mod).bytes,
    }),
  };
  for (const method of METHODS) Object.assign(pe, method.bind(mod));
  return deepFreeze(pe);
}
