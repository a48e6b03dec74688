// SPDX-License-Identifier: MIT
// Every widget of the site: id (URL key prefix, custom element posenc-<id>, embed.html?w=<id>) and a
// loader of its module, which resolves to { create, schema }. Each widget is its own module, loaded
// only when a page shows it (the bundles of scripts/build-site.mjs split along these imports). The
// order is the order of the article.
const load = (importer, name) => () => importer().then((m) => ({ create: m[name], schema: m.schema }));

export const WIDGETS = Object.freeze({
  hero: load(() => import('./hero.js'), 'createHero'),
  embedding: load(() => import('./embedding-sum.js'), 'createEmbeddingSum'),
  shuffle: load(() => import('./shuffle.js'), 'createShuffle'),
  learned: load(() => import('./learned.js'), 'createLearned'),
  sinusoidal: load(() => import('./sinusoidal.js'), 'createSinusoidal'),
  shaw: load(() => import('./shaw.js'), 'createShaw'),
  t5: load(() => import('./t5.js'), 'createT5'),
  rope: load(() => import('./rope.js'), 'createRope'),
  scaling: load(() => import('./rope-scaling.js'), 'createRopeScaling'),
  alibi: load(() => import('./alibi.js'), 'createAlibi'),
  models: load(() => import('./models.js'), 'createModels'),
  attention: load(() => import('./attention.js'), 'createAttention'),
  extrapolation: load(() => import('./extrapolation.js'), 'createExtrapolation'),
});
