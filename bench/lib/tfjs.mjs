// SPDX-License-Identifier: MIT
// TensorFlow.js with its WebAssembly backend (@tensorflow/tfjs-backend-wasm) in Node.
//
// Both packages are loaded through require(): neither has an "exports" map, so Node resolves them
// to their CommonJS "main" bundles (dist/tf-core.node.js, dist/tf-backend-wasm.node.js), and the
// backend then registers itself on the same tfjs-core instance that we use.
//
// The .wasm binaries are located with setWasmPaths() given a map of absolute file paths (the
// Emscripten loader reads them with fs in Node). The map's entries are getters that record which
// binary the backend asks for, so we report the binary actually loaded, not only the feature flag.
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);

const BINARIES = [
  'tfjs-backend-wasm.wasm',
  'tfjs-backend-wasm-simd.wasm',
  'tfjs-backend-wasm-threaded-simd.wasm',
];

let loaded = null;

/**
 * Load tfjs-core and the wasm backend, make 'wasm' the active backend and return
 * { tf, wasm, info }. Throws if the backend is not 'wasm' afterwards. Loaded once per process.
 */
export function initTfjsWasm() {
  loaded ??= load();
  return loaded;
}

async function load() {
  const tf = require('@tensorflow/tfjs-core');
  const wasm = require('@tensorflow/tfjs-backend-wasm');
  const dist = path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');

  const requested = [];
  const map = {};
  for (const name of BINARIES) {
    Object.defineProperty(map, name, {
      enumerable: true,
      get() { requested.push(name); return path.join(dist, name); },
    });
  }
  wasm.setWasmPaths(map);
  requested.length = 0;  // setWasmPaths itself reads every entry to check that none is missing

  const ok = await tf.setBackend('wasm');
  await tf.ready();
  const backend = tf.getBackend();
  if (!ok || backend !== 'wasm') {
    throw new Error(`tfjs: could not activate the wasm backend (setBackend returned ${ok}, active backend ${backend})`);
  }
  const simdSupportFlag = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  const multithreadSupportFlag = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
  const wasmBinary = requested.length ? requested[requested.length - 1] : null;
  const info = {
    backend,
    versionCore: tf.version_core,
    versionBackendWasm: wasm.version_wasm,
    simdSupportFlag,            // tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')
    multithreadSupportFlag,     // always false in Node (tfjs disables threads there)
    wasmBinary,                 // the .wasm file the backend loaded (null: could not be observed)
    simd: wasmBinary ? wasmBinary.includes('simd') : null,
    threadsCount: typeof wasm.getThreadsCount === 'function' ? wasm.getThreadsCount() : null,
  };
  return { tf, wasm, info };
}
