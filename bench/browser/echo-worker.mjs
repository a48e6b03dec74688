// SPDX-License-Identifier: MIT
// The data movement of posenc's pool without the attention (bench/browser-parallel.mjs, "echo"):
// receives a block of q and all of k and v, replies with a new output block of the block's size.
self.onmessage = ({ data: { queries, row } }) => {
  const out = new Float32Array(queries * row);
  self.postMessage({ out }, [out.buffer]);
};
