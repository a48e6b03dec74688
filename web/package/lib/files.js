// SPDX-License-Identifier: MIT
// Where the .wasm of each build is: next to the glue, in the package's dist/. Written as
// `new URL('<literal>', import.meta.url)`, the pattern that Vite, webpack 5 and Parcel recognise:
// they copy the file into the app's build and rewrite the URL. (The one-file builds,
// dist/posenc-inline.mjs and dist/posenc.iife.js, replace this module with the bytes themselves.)
export const wasmFiles = {
  simd: () => new URL('../dist/posenc_simd.wasm', import.meta.url),
  base: () => new URL('../dist/posenc_base.wasm', import.meta.url),
};
