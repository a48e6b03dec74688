// SPDX-License-Identifier: MIT
// pe.corpus: the invented-language corpus of the train-short-test-long experiment, and the mapping
// of any text to its 64 token ids (C++: src/posenc/lm/corpus.hpp).
import { bytes as readBytes, describe, integer, ints, oneOf, options, outTarget } from './args.js';
import { call } from './runtime.js';

const STREAMS = ['train', 'eval'];
const MAX_CHARS = 64 * 1024 * 1024;

export function bind(mod) {
  const alphabet = mod.corpusAlphabet();
  return {
    corpus: {
      /** The 63 symbols of the alphabet; id i is alphabet[i]; id 63 stands for any other byte. */
      alphabet,
      vocab: 64,
      generate: (opts) => {
        const where = 'posenc.corpus.generate';
        const o = options(where, opts, ['seed', 'stream', 'length', 'out']);
        const seed = integer(where, 'seed', o.seed, { min: 0, max: Number.MAX_SAFE_INTEGER, fallback: 1 });
        const stream = oneOf(where, 'stream', o.stream, STREAMS, 'train');
        const length = integer(where, 'length', o.length, { min: 1, max: MAX_CHARS });
        return call(mod, where, [], [[Int32Array, length, undefined, undefined, outTarget(where, o.out, Int32Array, length)]], (out) => mod.corpusGenerate(seed, STREAMS.indexOf(stream), out, length))[0];
      },
      encode: (text) => {
        const where = 'posenc.corpus.encode';
        if (typeof text === 'string' && text.length > MAX_CHARS) throw new RangeError(`${where}: text is limited to ${MAX_CHARS} bytes`);
        const bytes = typeof text === 'string' ? new TextEncoder().encode(text) : readBytes(where, 'text', text);
        if (bytes === undefined) throw new TypeError(`${where}: text must be a string or a Uint8Array (e.g. a file's bytes), got ${describe(text)}`);
        if (bytes.length === 0) throw new RangeError(`${where}: text must not be empty`);
        if (bytes.length > MAX_CHARS) throw new RangeError(`${where}: text is limited to ${MAX_CHARS} bytes`);
        return call(mod, where, [bytes], [[Int32Array, bytes.length]], (b, out) => mod.corpusEncode(b, bytes.length, out))[0];
      },
      decode: (ids) => {
        const where = 'posenc.corpus.decode';
        const a = ints(where, 'ids', ids, { min: 0, max: 63, maxLength: MAX_CHARS });
        if (a.length === 0) return '';
        const [out] = call(mod, where, [a], [[Uint8Array, a.length]], (p, o) => mod.corpusDecode(p, a.length, o));
        return new TextDecoder().decode(out);
      },
    },
  };
}
