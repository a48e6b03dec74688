// SPDX-License-Identifier: MIT
// posenc: positional encodings of transformers, in WebAssembly.
//
//   import { init } from 'posenc';
//   const pe = await init();              // SIMD build where the runtime supports it
//   await init({ wasm: { simd: url1, base: url2 } })  // .wasm files from elsewhere (see README)
//   const table = pe.sinusoidal({ length: 128, dim: 64 });
//
// Everything numeric is computed by the C++ core; this file only loads the module and puts together
// the members each method's wrapper (lib/<method>.js, `bind(mod)`) contributes.
// Emscripten's glue, one for both builds: the two it writes differ only in the name of their default
// .wasm, which is never used here (scripts/build.sh checks that they are otherwise the same and
// copies one as dist/posenc.mjs). A static import, so that no bundler has to split the package
// into chunks (a worker bundled as an IIFE cannot be split).
import createModule from './dist/posenc.mjs';
import { describe, options } from './lib/args.js';
import { checkRuntime, chooseSource, compile } from './lib/load.js';
import { simdSupported } from './lib/runtime.js';
import * as alibi from './lib/alibi.js';
import * as analysis from './lib/analysis.js';
import * as attention from './lib/attention.js';
import * as corpus from './lib/corpus.js';
import * as kerple from './lib/kerple.js';
import * as learned from './lib/learned.js';
import * as lm from './lib/lm.js';
import * as models from './lib/models.js';
import * as nope from './lib/nope.js';
import * as rope from './lib/rope.js';
import * as shaw from './lib/shaw.js';
import * as sinusoidal from './lib/sinusoidal.js';
import * as t5 from './lib/t5.js';
import * as tensor from './lib/tensor.js';

export { Tensor } from './lib/tensor.js';

export const version = '0.1.0';

const METHODS = [tensor, sinusoidal, learned, shaw, t5, rope, alibi, kerple, nope, attention, analysis, lm, corpus, models];

const loaded = new Map();  // build name -> Promise<PositionalEncodings>

/**
 * Load posenc. `simd`: 'auto' (default) picks the SIMD build when WebAssembly SIMD is supported,
 * true requires it, false loads the baseline build. `wasm`: where the .wasm comes from (a URL,
 * bytes, a Response, a Promise of one, a WebAssembly.Module; { simd, base } with simd 'auto');
 * by default the package's own dist/ file. Each build is loaded once and shared.
 */
export function init(opts = {}) {
  const where = 'posenc.init';
  let build;
  let source;
  try {
    const o = options(where, opts, ['simd', 'wasm']);
    if (o.simd !== undefined && o.simd !== 'auto' && typeof o.simd !== 'boolean') {
      throw new TypeError(`${where}: simd must be true, false or 'auto', got ${describe(o.simd)}`);
    }
    checkRuntime(where);
    const supported = simdSupported();
    if (o.simd === true && !supported) {
      throw new RangeError(`${where}: simd is true but this runtime has no WebAssembly SIMD`);
    }
    build = (o.simd ?? 'auto') === 'auto' ? (supported ? 'simd' : 'base') : (o.simd ? 'simd' : 'base');
    source = chooseSource(where, o.wasm, o.simd, build);
  } catch (e) {
    return Promise.reject(e);
  }
  if (!loaded.has(build)) {
    const promise = compile(where, build, source)
      .then((module) => instantiate(module).catch((e) => {
        throw new Error(`${where}: the .wasm loaded is not posenc ${version}'s posenc_${build}.wasm (${e.message})`, { cause: e });
      }))
      .then((mod) => api(mod, build === 'simd'));
    promise.catch(() => loaded.delete(build));  // a failed load may be retried
    loaded.set(build, promise);
  }
  return loaded.get(build);
}

/** A module instance of the glue around an already compiled WebAssembly.Module. */
function instantiate(module) {
  return new Promise((resolve, reject) => {
    createModule({
      locateFile: (path) => path,  // the glue's own default location is never computed nor fetched
      instantiateWasm(imports, receive) {
        WebAssembly.instantiate(module, imports).then((instance) => receive(instance, module)).catch(reject);
        return {};
      },
    }).then(resolve, reject);
  });
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
    threads: 1,  // the calling thread; posenc/worker's initWorker({ threads }) runs on a pool
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
