// SPDX-License-Identifier: MIT
// Types of pe.corpus (lib/corpus.js).
import type { Int32Out, IntData } from './tensor.js';
import type { Int32Result } from './arrays.js';

export interface CorpusApi {
  readonly corpus: {
    /** The 63 symbols of the alphabet: id i is alphabet[i]; id 63 stands for any other byte ('?'). */
    readonly alphabet: string;
    /** 64 token ids. */
    readonly vocab: number;
    /**
     * `length` token ids of the generated invented-language corpus: the training or the evaluation
     * stream (different documents, the same lexicon) for a seed; deterministic on every platform.
     * @example const trainIds = pe.corpus.generate({ seed: 1, stream: 'train', length: 1_000_000 });
     */
    generate<O extends Int32Out>(options: { seed?: number; stream?: 'train' | 'eval'; length: number; out: O }): O;
    generate(options: { seed?: number; stream?: 'train' | 'eval'; length: number; out?: undefined }): Int32Result;
    /**
     * Token ids of any text (bytes outside the alphabet become id 63), e.g. a dropped file's bytes.
     * @example const ids = pe.corpus.encode(await file.bytes());
     */
    encode(text: string | Uint8Array): Int32Result;
    /** Text of token ids (id 63 decodes to '?'). */
    decode(ids: IntData): string;
  };
}
