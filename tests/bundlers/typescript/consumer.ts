// SPDX-License-Identifier: MIT
// A strict TypeScript consumer of the packed package, compiled with each module resolution
// (tsconfig.bundler.json, tsconfig.node16.json, tsconfig.nodenext.json): the entry points and
// init()'s options as declared in index.d.ts.
import { init, type InitOptions, type PositionalEncodings, type WasmSource } from 'posenc';
import { init as initInline } from 'posenc/inline';

const simd: WasmSource = new URL('https://cdn.example/posenc_simd.wasm');
const base: WasmSource = fetch('/posenc_base.wasm');
const options: InitOptions[] = [
  {},
  { simd: 'auto', wasm: { simd, base } },
  { simd: false, wasm: new Uint8Array(8) },
  { simd: true, wasm: '/assets/posenc_simd.wasm' },
];

export async function rows(): Promise<Float32Array[]> {
  const all: PositionalEncodings[] = await Promise.all(options.map((o) => init(o)));
  all.push(await initInline({ simd: false }));
  return all.map((pe) => pe.sinusoidal({ length: 4, dim: 8 }));
}

// @ts-expect-error: there is no such option (the URL of the .wasm is `wasm`).
void init({ wasmUrl: '/posenc.wasm' });
// @ts-expect-error: simd is a boolean or 'auto'.
void init({ simd: 'yes' });
