// SPDX-License-Identifier: MIT
// The running example of the article, shared by the widgets that attend over a sentence (hero,
// shuffle): its words, their illustrative embeddings, the order of a shuffle and the position option
// of pe.attention for each method.
import { allWords, wordVector } from './random.js';

export const SENTENCE = 'the cat sat on the mat';
export const METHODS = ['none', 'sinusoidal', 'rope', 'alibi'];

/** The first `max` words of `sentence`, or of the running example when it has none; and how many it had. */
export function sentenceWords(sentence, max) {
  const found = allWords(sentence);
  return { found: found.length, list: found.length ? found.slice(0, max) : allWords(SENTENCE) };
}

/** q = k = v: the words' illustrative embeddings, [n, 1, dim] row-major. */
export function embed(list, dim) {
  const x = new Float32Array(list.length * dim);
  list.forEach((word, i) => x.set(wordVector(word.toLowerCase(), dim), i * dim));
  return x;
}

/** The `position` option of pe.attention for a method of METHODS. */
export function positionOf(pe, method, dim) {
  return method === 'rope' ? { method: 'rope', frequencies: pe.rope.frequencies({ head_dim: dim }) } : method;
}

/** The order in the state as a permutation of 0..n-1, or the identity. */
export function orderOf(text, n) {
  const parts = text.split(',').filter((x) => x !== '').map(Number);
  const ok = parts.length === n && parts.every((x) => Number.isInteger(x) && x >= 0 && x < n) && new Set(parts).size === n;
  return ok ? parts : Array.from({ length: n }, (_, i) => i);
}

/** x with its rows reordered: row i of the result is row perm[i] of x (rows of `row` numbers). */
export function permuteRows(x, perm, row) {
  const out = new Float32Array(x.length);
  perm.forEach((j, i) => out.set(x.subarray(j * row, (j + 1) * row), i * row));
  return out;
}
