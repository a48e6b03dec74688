// SPDX-License-Identifier: MIT
// Compiled with tsc against the installed package (see sinusoidal.ts): pe.models as used, and misuses.
import { init, type GalleryEntry, type IgnoredKey, type ModelDescription, type PositionMethod, type RopeFrequencies } from 'posenc';

async function main(): Promise<void> {
  const pe = await init();
  const entry: GalleryEntry = pe.models.gallery[0];
  const d: ModelDescription = pe.models.describe(entry.config, { seqLen: 4096 });
  const m: PositionMethod = d.method;
  const family: string = d.family;
  const context: number | null = d.contextLength;
  const types: readonly string[] | null = d.layerTypes;
  const sliding: RopeFrequencies | undefined = d.rope?.byLayerType.sliding_attention;
  const noRope: readonly number[] | undefined = d.rope?.noRopeLayers;
  const slopes: Float64Array | undefined = d.alibi?.slopes;
  const offset: number | undefined = d.learned?.offset;
  const buckets: number | undefined = d.t5?.numBuckets;
  const padding: number | null | undefined = d.sinusoidal?.paddingIdx;
  const ignored: readonly IgnoredKey[] = d.ignoredKeys;
  const f = pe.rope.frequencies({ model_type: 'gemma3_text', num_hidden_layers: 6 }, { layerType: 'sliding_attention' });
  const layout: 'half' | 'interleaved' = f.layout;
  const why: string = f.ignoredKeys[0]?.why ?? '';

  // @ts-expect-error: seqLen is a number
  pe.models.describe(entry.config, { seqLen: '4096' });
  // @ts-expect-error: the gallery is read-only
  pe.models.gallery.push(entry);
  // @ts-expect-error: method is one of the known methods
  const bad: ModelDescription['method'] = 'xpos';

  console.log(m, family, context, types, sliding, noRope, slopes, offset, buckets, padding, ignored, layout, why, bad);
}

void main();
