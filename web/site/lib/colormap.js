// SPDX-License-Identifier: MIT
// Colour maps as lookup tables: 256 RGBA entries, index 0 = the low end, 255 = the high end.

/** ColorBrewer RdBu, reversed: -1 dark blue, 0 near white, +1 dark red (signed values). */
export const BLUE_WHITE_RED = [
  '#053061', '#2166ac', '#4393c3', '#92c5de', '#d1e5f0', '#f7f7f7',
  '#fddbc7', '#f4a582', '#d6604d', '#b2182b', '#67001f',
];

/** Viridis (matplotlib), sampled: low = dark violet, high = yellow (one-signed values, weights). */
export const VIRIDIS = [
  '#440154', '#482878', '#3e4989', '#31688e', '#26828e', '#1f9e89', '#35b779', '#6ece58', '#b5de2b', '#fde725',
];

/** Qualitative colours for categories (buckets, indices): Tableau 10. */
export const CATEGORIES = [
  '#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac',
];

export function rgb(hex) {
  const n = Number.parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

const cache = new Map();

/** A lookup table of `size` colours interpolated linearly between the stops (shared per stops). */
export function createLut(stops = BLUE_WHITE_RED, size = 256) {
  const key = `${stops.join()}/${size}`;
  if (cache.has(key)) return cache.get(key);
  const colours = stops.map(rgb);
  const bytes = new Uint8ClampedArray(size * 4);
  for (let i = 0; i < size; i++) {
    const t = (i / (size - 1)) * (colours.length - 1);
    const k = Math.min(colours.length - 2, Math.floor(t));
    const f = t - k;
    for (let c = 0; c < 3; c++) bytes[i * 4 + c] = Math.round(colours[k][c] * (1 - f) + colours[k + 1][c] * f);
    bytes[i * 4 + 3] = 255;
  }
  // The same bytes seen as one 32-bit pixel each (in the platform's byte order, as ImageData is).
  const lut = { size, stops, bytes, pixels: new Uint32Array(bytes.buffer) };
  cache.set(key, lut);
  return lut;
}

/** One 32-bit pixel (ImageData byte order) of an [r, g, b] colour. */
export function pixel([r, g, b]) {
  return new Uint32Array(new Uint8ClampedArray([r, g, b, 255]).buffer)[0];
}

/**
 * Fill `image` (an ImageData of the table's width and height) with the colours of `values`
 * (row-major, same size), mapping [lo, hi] onto the table; values outside are clamped. -Infinity
 * (a masked attention entry) gets `maskPixel`, other NaN the low end.
 */
export function paintValues(image, values, lut, lo = -1, hi = 1, maskPixel = 0) {
  const out = new Uint32Array(image.data.buffer, image.data.byteOffset, image.width * image.height);
  const scale = (lut.size - 1) / (hi - lo || 1);
  const top = lut.size - 1;
  for (let i = 0; i < out.length; i++) {
    const v = values[i];
    if (v === -Infinity && maskPixel) { out[i] = maskPixel; continue; }
    let k = ((v - lo) * scale + 0.5) | 0;
    if (!(k >= 0)) k = 0;  // also NaN
    else if (k > top) k = top;
    out[i] = lut.pixels[k];
  }
}

/** Draw the map as a horizontal ramp filling `canvas` (for legends). */
export function paintRamp(canvas, lut) {
  canvas.width = lut.size;
  canvas.height = 1;
  const ctx = canvas.getContext('2d');
  const image = ctx.createImageData(lut.size, 1);
  image.data.set(lut.bytes);
  ctx.putImageData(image, 0, 0);
}
