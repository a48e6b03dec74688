// SPDX-License-Identifier: MIT
// Getting the .wasm of a build, from wherever it is, into a compiled WebAssembly.Module.
//
// The package does this itself, not Emscripten's glue, so that every way it can fail (a server
// answering with index.html, a 404, a bundler that left the file behind, a runtime without
// WebAssembly) is reported as a posenc error that names the URL, the HTTP status and content type,
// and the README section to read.
import { describe } from './args.js';
import { wasmFiles } from './files.js';

const HELP = 'see "Using posenc with your bundler" in the README of posenc (https://www.npmjs.com/package/posenc#using-posenc-with-your-bundler)';
const MAGIC = [0x00, 0x61, 0x73, 0x6d];  // "\0asm"

const isNode = typeof process === 'object' && typeof process.versions === 'object' && typeof process.versions.node === 'string';

/** Whether `value` is one file's source (as opposed to { simd, base }). */
function isSource(value) {
  return typeof value === 'string' || value instanceof URL || value instanceof ArrayBuffer || ArrayBuffer.isView(value)
    || value instanceof WebAssembly.Module || (typeof Response === 'function' && value instanceof Response)
    || (value !== null && typeof value === 'object' && typeof value.then === 'function');
}

const SOURCE_KINDS = 'a URL (string or URL), bytes (ArrayBuffer or typed array), a Response, a Promise of one, a WebAssembly.Module';

/**
 * The source of `build`'s .wasm from init()'s `wasm` option, checked: one source (then `simd` must
 * say which build it is), or { simd, base }. Undefined when the package's own file is to be used.
 */
export function chooseSource(where, wasm, simd, build) {
  if (wasm === undefined) return undefined;
  if (isSource(wasm)) {
    if (simd === undefined || simd === 'auto') {
      throw new TypeError(`${where}: wasm is one file, so simd must say which build it is (true or false); with simd 'auto' give wasm as { simd, base }`);
    }
    return wasm;
  }
  if (wasm === null || typeof wasm !== 'object' || Array.isArray(wasm)) {
    throw new TypeError(`${where}: wasm must be ${SOURCE_KINDS}, or { simd, base } of those, got ${describe(wasm)}`);
  }
  for (const key of Object.keys(wasm)) {
    if (key !== 'simd' && key !== 'base') throw new TypeError(`${where}: unknown key ${JSON.stringify(key)} in wasm (expected simd, base)`);
  }
  const needed = simd === undefined || simd === 'auto' ? ['simd', 'base'] : [build];
  for (const key of needed) {
    if (!isSource(wasm[key])) throw new TypeError(`${where}: wasm.${key} must be ${SOURCE_KINDS}, got ${describe(wasm[key])}`);
  }
  return wasm[build];
}

/** Throw a clear error where posenc cannot run at all. */
export function checkRuntime(where) {
  if (typeof WebAssembly !== 'object' || typeof WebAssembly.instantiate !== 'function') {
    throw new Error(`${where}: this JavaScript runtime has no WebAssembly; posenc needs it (browsers since 2017, Node >= 20.16, Deno, Bun)`);
  }
}

/** Compile `build`'s .wasm from `source` (see chooseSource), or from the package's own file. */
export async function compile(where, build, source) {
  let url = '';
  try {
    let value = source;
    if (value === undefined) {
      try {
        value = wasmFiles[build]();
      } catch (e) {
        throw new Error(`${where}: cannot locate posenc_${build}.wasm (${e.message}): this bundle has no import.meta.url; pass init({ wasm }) with the file's URL or bytes; ${HELP}`);
      }
    }
    if (value !== null && typeof value === 'object' && typeof value.then === 'function') value = await value;
    if (value instanceof WebAssembly.Module) return value;
    if (typeof value === 'string' || value instanceof URL) {
      url = String(value);
      value = await fetchFile(where, url);
    }
    if (typeof Response === 'function' && value instanceof Response) {
      url ||= value.url || '(a Response)';
      value = await responseBytes(where, url, value);
    }
    if (!(value instanceof ArrayBuffer) && !ArrayBuffer.isView(value)) {
      throw new TypeError(`${where}: wasm must be ${SOURCE_KINDS}, got ${describe(value)}`);
    }
    const bytes = value instanceof ArrayBuffer ? new Uint8Array(value) : new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
    checkMagic(where, url || '(the bytes given)', bytes, '');
    return await WebAssembly.compile(bytes);
  } catch (e) {
    if (typeof e.message === 'string' && e.message.startsWith(where)) throw e;
    const what = url ? `posenc_${build}.wasm from ${url}` : `posenc_${build}.wasm`;
    throw new Error(`${where}: cannot load ${what}: ${e.message}; ${HELP}`, { cause: e });
  }
}

async function fetchFile(where, url) {
  const parsed = new URL(url, globalThis.document?.baseURI ?? globalThis.location?.href);
  if (parsed.protocol === 'file:' && isNode) {
    if (typeof process.getBuiltinModule !== 'function') {
      throw new Error(`${where}: Node ${process.version} is not supported: posenc needs Node >= 20.16 to read ${parsed.pathname} (process.getBuiltinModule); use a newer Node, or pass init({ wasm }) with the file's bytes`);
    }
    const { fileURLToPath } = process.getBuiltinModule('url');
    return process.getBuiltinModule('fs').promises.readFile(fileURLToPath(parsed));
  }
  if (typeof fetch !== 'function') {
    throw new Error(`${where}: this runtime has no fetch() to load ${url}; pass init({ wasm }) with the file's bytes`);
  }
  let response;
  try {
    response = await fetch(parsed);
  } catch (e) {
    throw new Error(`${where}: cannot fetch ${url}: ${e.message}; ${HELP}`, { cause: e });
  }
  return responseBytes(where, url, response);
}

async function responseBytes(where, url, response) {
  const type = response.headers.get('content-type') ?? '(none)';
  if (!response.ok) {
    throw new Error(`${where}: cannot load ${url}: HTTP ${response.status}${response.statusText ? ' ' + response.statusText : ''}, content-type ${type}; ${HELP}`);
  }
  const bytes = new Uint8Array(await response.arrayBuffer());
  checkMagic(where, url, bytes, `HTTP ${response.status}, content-type ${type}`);
  return bytes;
}

function checkMagic(where, url, bytes, http) {
  if (MAGIC.every((b, i) => bytes[i] === b)) return;
  const head = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
  const text = new TextDecoder().decode(bytes.subarray(0, 15)).replace(/[^\x20-\x7e]/g, '.');
  throw new Error(`${where}: ${url} is not a WebAssembly file (${http ? http + ', ' : ''}${bytes.length} bytes starting ${head || '(empty)'} ${JSON.stringify(text)}, not 00 61 73 6d): the server sent something else in its place, often the app's index.html; ${HELP}`);
}
