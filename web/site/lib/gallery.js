// SPDX-License-Identifier: MIT
// pe.models.gallery with pe.models.describe's answer for each entry, computed once per loaded
// package and shared by the widgets that list the gallery (models, scaling).
const cache = new WeakMap();

/** [{ g, d }] or [{ g, error }] for every gallery entry ([] when this build has no pe.models). */
export function describedGallery(pe) {
  if (!cache.has(pe)) {
    cache.set(pe, (pe.models?.gallery ?? []).map((g) => {
      try {
        return { g, d: pe.models.describe(g.config) };
      } catch (e) {
        return { g, error: e instanceof Error ? e.message : String(e) };
      }
    }));
  }
  return cache.get(pe);
}
