// SPDX-License-Identifier: MIT
// The one place where the site reaches pe.analysis (similarity, relativeScores, wavelengths,
// permutation, relativeCheck) and the methods the site names when a build lacks them. Every build
// of the package has pe.analysis (web/package/index.js binds it with the other methods): these are
// plain delegations.

export class MissingApi extends Error {}

/** The [rows][rows] dot-product matrix of a table's rows. */
export const similarity = (pe, options) => pe.analysis.similarity(options);

/** RoPE's score as a function of distance, or a bias method's logit bias. */
export const relativeScores = (pe, options) => pe.analysis.relativeScores(options);

/** Wavelengths of a config's RoPE before and after its scaling. */
export const wavelengths = (pe, config, options = {}) => pe.analysis.wavelengths(config, options);

/** Attention of tokens and of the tokens permuted, and the equivariance error. */
export const permutation = (pe, options) => pe.analysis.permutation(options);

/** RoPE's relative property checked over many positions. */
export const relativeCheck = (pe, options) => pe.analysis.relativeCheck(options);

/** pe.learned, or a MissingApi error naming it. */
export function learned(pe) {
  if (!pe.learned?.table) throw new MissingApi('pe.learned');
  return pe.learned;
}

/** pe.shaw, or a MissingApi error naming it. */
export function shaw(pe) {
  if (!pe.shaw?.indices) throw new MissingApi('pe.shaw');
  return pe.shaw;
}

/**
 * The attention score of a query and a key the package rotated: their dot product (the definition
 * of the logit before scaling). Used where the site shows one number for positions it chose.
 */
export function dot(a, b) {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}
