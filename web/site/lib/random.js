// SPDX-License-Identifier: MIT
// Deterministic pseudo-random numbers for ILLUSTRATIVE data only (token embeddings, queries, keys,
// values, demo bias tables): the same word or seed gives the same numbers on every machine, so a
// link shows the same picture. Nothing here is a positional encoding; those come from the package.

/** FNV-1a hash of a string, a 32-bit unsigned integer. */
export function hashString(s) {
  let x = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) x = Math.imul(x ^ s.charCodeAt(i), 16777619) >>> 0;
  return x;
}

/** mulberry32: a small 32-bit generator, returns uniform numbers in [0, 1). */
export function generator(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** n uniform values in [-scale, scale) from `seed`. */
export function uniform(n, seed, scale = 1) {
  const next = generator(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (next() * 2 - 1) * scale;
  return out;
}

/** The illustrative embedding of a word: dim values in [-1, 1), seeded by the word. */
export function wordVector(word, dim) {
  return uniform(dim, hashString(`posenc:${word}`));
}

/** A random permutation of 0..n-1 (Fisher-Yates) from `seed`, different from the identity when n > 1. */
export function shuffled(n, seed) {
  const next = generator(seed);
  const p = Array.from({ length: n }, (_, i) => i);
  for (let attempt = 0; attempt < 8; attempt++) {
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [p[i], p[j]] = [p[j], p[i]];
    }
    if (n < 2 || p.some((v, i) => v !== i)) break;
  }
  return p;
}

/** The first `max` words of a sentence (see allWords). */
export function words(sentence, max = 12) {
  return allWords(sentence).slice(0, max);
}

const EMOJI = /\p{Extended_Pictographic}/u;

/**
 * The words of `sentence` by the Unicode word rules (Intl.Segmenter): a Japanese sentence without
 * spaces splits into its words, and an emoji counts as a word of its own.
 */
let segmenter = null;

export function allWords(sentence) {
  // Latin letters and spaces only (the running example): the words are what the spaces separate,
  // as the segmenter would say, without its first construction (tens of ms: it loads its data).
  if (/^[a-z\s]*$/i.test(sentence)) return sentence.split(/\s+/).filter(Boolean);
  if (typeof Intl.Segmenter !== 'function') return sentence.match(/[\p{L}\p{N}\p{Extended_Pictographic}'’-]+/gu) ?? [];
  segmenter ??= new Intl.Segmenter(undefined, { granularity: 'word' });
  return Array.from(segmenter.segment(sentence)).filter((x) => x.isWordLike || EMOJI.test(x.segment)).map((x) => x.segment);
}
