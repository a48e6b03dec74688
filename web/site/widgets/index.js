// SPDX-License-Identifier: MIT
// Every widget of the site: id (URL key prefix, custom element posenc-<id>, embed.html?w=<id>),
// its settings schema and its create function. The order is the order of the article.
import { createAlibi, schema as alibi } from './alibi.js';
import { createAttention, schema as attention } from './attention.js';
import { createEmbeddingSum, schema as embedding } from './embedding-sum.js';
import { createExtrapolation, schema as extrapolation } from './extrapolation.js';
import { createLearned, schema as learned } from './learned.js';
import { createModels, schema as models } from './models.js';
import { createRope, schema as rope } from './rope.js';
import { createRopeScaling, schema as scaling } from './rope-scaling.js';
import { createShaw, schema as shaw } from './shaw.js';
import { createShuffle, schema as shuffle } from './shuffle.js';
import { createSinusoidal, schema as sinusoidal } from './sinusoidal.js';
import { createT5, schema as t5 } from './t5.js';

export const WIDGETS = Object.freeze({
  embedding: { create: createEmbeddingSum, schema: embedding },
  shuffle: { create: createShuffle, schema: shuffle },
  learned: { create: createLearned, schema: learned },
  sinusoidal: { create: createSinusoidal, schema: sinusoidal },
  shaw: { create: createShaw, schema: shaw },
  t5: { create: createT5, schema: t5 },
  rope: { create: createRope, schema: rope },
  scaling: { create: createRopeScaling, schema: scaling },
  alibi: { create: createAlibi, schema: alibi },
  models: { create: createModels, schema: models },
  attention: { create: createAttention, schema: attention },
  extrapolation: { create: createExtrapolation, schema: extrapolation },
});
