// SPDX-License-Identifier: MIT
// The one setting posenc needs in Vite: keep it out of the dev server's dependency pre-bundling,
// which would move its files away from the .wasm they load (README: "Using posenc with your bundler").
export default {
  optimizeDeps: { exclude: ['posenc'] },
};
