// SPDX-License-Identifier: MIT
// init(): its options, where the .wasm comes from, and what it says when loading fails. The failing
// loads come first: a failed load is not kept, so the same build loads afterwards.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { test } from 'node:test';
import { init } from 'posenc';

const HELP = /; see "Using posenc with your bundler" in the README of posenc/;
const file = (build) => readFileSync(new URL(import.meta.resolve(`posenc/dist/posenc_${build}.wasm`)));

// Row 3 of the sinusoidal table of width 8, in float64 (Vaswani et al.).
const EXPECTED = Array.from({ length: 8 }, (_, c) => {
  const angle = 3 / 10000 ** ((c - (c % 2)) / 8);
  return c % 2 ? Math.cos(angle) : Math.sin(angle);
});
function checkTable(pe) {
  const row = pe.sinusoidal({ length: 4, dim: 8 }).subarray(24, 32);
  row.forEach((v, i) => assert.ok(Math.abs(v - EXPECTED[i]) < 1e-6, `PE[3][${i}] = ${v}, expected ${EXPECTED[i]}`));
}

test('init: wrong options are TypeErrors naming the option', async () => {
  const cases = [
    [{ wasmUrl: '/posenc.wasm' }, /^posenc\.init: unknown option "wasmUrl" \(expected one of simd, wasm\)$/],
    [{ simd: 'yes' }, /^posenc\.init: simd must be true, false or 'auto', got "yes"$/],
    [{ simd: false, wasm: 42 }, /^posenc\.init: wasm must be a URL \(string or URL\), bytes .* got 42$/],
    [{ simd: false, wasm: null }, /^posenc\.init: wasm must be .* got null$/],
    [{ wasm: '/posenc_simd.wasm' }, /^posenc\.init: wasm is one file, so simd must say which build it is \(true or false\); with simd 'auto' give wasm as \{ simd, base \}$/],
    [{ wasm: { simd: '/posenc_simd.wasm' } }, /^posenc\.init: wasm\.base must be .* got undefined$/],
    [{ simd: false, wasm: { simd: '/a.wasm' } }, /^posenc\.init: wasm\.base must be/],
    [{ wasm: { simd: '/a.wasm', base: '/b.wasm', baseline: '/b.wasm' } }, /^posenc\.init: unknown key "baseline" in wasm \(expected simd, base\)$/],
  ];
  for (const [options, message] of cases) await assert.rejects(init(options), (e) => e instanceof TypeError && message.test(e.message), JSON.stringify(options));
});

test('init: a Response that is not the .wasm: HTTP status, content type and what came instead', async () => {
  const notFound = new Response('not here', { status: 404, statusText: 'Not Found', headers: { 'content-type': 'text/html' } });
  await assert.rejects(init({ simd: false, wasm: notFound }),
    (e) => /^posenc\.init: cannot load \(a Response\): HTTP 404 Not Found, content-type text\/html; see "Using/.test(e.message));
  const page = new Response('<!doctype html><html>', { headers: { 'content-type': 'text/html' } });
  await assert.rejects(init({ simd: false, wasm: page }),
    (e) => e.message.startsWith('posenc.init: (a Response) is not a WebAssembly file (HTTP 200, content-type text/html, 21 bytes starting 3c 21 64 6f "<!doctype html>", not 00 61 73 6d)') && HELP.test(e.message));
  await assert.rejects(init({ simd: false, wasm: new Uint8Array([1, 2, 3]) }),
    (e) => e.message.startsWith('posenc.init: (the bytes given) is not a WebAssembly file (3 bytes starting 01 02 03'));
});

test('init: fetching from a server names the URL, the status and the content type; an unreachable URL too', async () => {
  const server = createServer((req, res) => {
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('no such file');
  });
  await new Promise((done) => server.listen(0, '127.0.0.1', done));
  const url = `http://127.0.0.1:${server.address().port}/assets/posenc_base.wasm`;
  try {
    await assert.rejects(init({ simd: false, wasm: url }),
      (e) => e.message === `posenc.init: cannot load ${url}: HTTP 404 Not Found, content-type text/plain; see "Using posenc with your bundler" in the README of posenc (https://www.npmjs.com/package/posenc#using-posenc-with-your-bundler)`);
  } finally {
    server.close();
  }
  await assert.rejects(init({ simd: false, wasm: new URL('http://127.0.0.1:1/posenc_base.wasm') }),
    (e) => /^posenc\.init: cannot fetch http:\/\/127\.0\.0\.1:1\/posenc_base\.wasm: fetch failed; see "Using/.test(e.message));
});

test('init: a WebAssembly module that is not posenc is refused', async () => {
  const empty = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
  await assert.rejects(init({ simd: false, wasm: empty }),
    (e) => e.message.startsWith("posenc.init: the .wasm loaded is not posenc 0.1.0's posenc_base.wasm ("));
});

test('init: the builds load from a compiled module and from a Promise of a Response; later calls share them', async () => {
  const base = await init({ simd: false, wasm: await WebAssembly.compile(file('base')) });
  assert.equal(base.simd, false);
  checkTable(base);
  const response = Promise.resolve(new Response(file('simd'), { headers: { 'content-type': 'application/wasm' } }));
  const simd = await init({ wasm: { simd: response, base: '/never/fetched.wasm' } });
  assert.equal(simd.simd, true);
  checkTable(simd);
  assert.equal(await init(), simd);
  assert.equal(await init({ simd: false }), base);
});

test('init: a runtime without WebAssembly gets a clear error', () => {
  const script = "globalThis.WebAssembly = undefined; const { init } = await import('posenc'); " +
    'await init().catch((e) => console.log(`${e.constructor.name}: ${e.message}`));';
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.match(out, /^Error: posenc\.init: this JavaScript runtime has no WebAssembly; posenc needs it/);
});
