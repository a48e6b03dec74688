// SPDX-License-Identifier: MIT
// posenc: positional encodings of transformers, in WebAssembly.
//
//   import { init } from 'posenc';
//   const pe = await init();              // SIMD build where the runtime supports it
//   const table = pe.sinusoidal({ length: 128, dim: 64 });
//
// Everything numeric is computed by the C++ core; this file only loads the module and wires the
// per-method wrappers in lib/ to it.
import { describe, options } from './lib/args.js';
import { simdSupported } from './lib/runtime.js';
import { sinusoidal } from './lib/sinusoidal.js';

export const version = '0.1.0';

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

function api(mod, simd) {
  return Object.freeze({
    simd,
    arch: mod.simdArch(),
    version,
    sinusoidal: (o) => sinusoidal(mod, o),
    diagnostics: () => ({
      heapBytes: mod.HEAPU8.length,
      mallocBytes: mod.heapInUse(),
      stackPointer: mod.stackPointer(),
    }),
  });
}
