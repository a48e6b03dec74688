// SPDX-License-Identifier: MIT
// posenc::lm: the procedural corpus of the train-short-test-long experiment (issue 6, "Data").
//
// A deterministic generator of an invented English-like language, read one character at a time. It
// is built so that a character-level model needs context at three scales, and so that every position
// method is tested where it differs (LAB.md, "The corpus"):
//
//   context needed                what needs it                              what the model must do
//   1-3 characters back           spelling of consonant-vowel words,         read the exact previous
//                                 suffixes, spaces and punctuation           characters (order, short range)
//   tens of characters back       subject-verb agreement across relative     find the subject or the opener
//                                 clauses; brackets that close in order      past a nested clause
//   hundreds of characters back   names invented in the header of a          find an earlier occurrence and
//                                 document; its topic words                  copy what followed it (relative
//                                                                            position at any distance)
//
// Words (the lexicon, fixed by the seed). Syllables are an onset (one consonant, or 1 in 8 times a
// cluster: tr st pr kl br sh th gr) and a vowel. The word class can be read off the last letters:
//
//   class        stem                                 forms                          count  e.g.
//   noun         1-3 syllables, last vowel a|o|u      singular stem, plural stem+s     140  bako bakos
//   verb         1-2 syllables + l|n|r|m|t|k          singular stem+s, plural stem      90  dosar dosars
//   adjective    2-3 syllables, last vowel e|i        stem                              52  tebi
//   adverb       adjective + ly                       stem                              52  tebily
//
// plus English function words: determiners (singular: a every this; plural: some many these; both:
// the), prepositions (of in on with from under near by for to over after), relative pronouns (that
// which) and conjunctions (and but so while because). No invented form equals a function word or
// another word. Within a class, words are drawn with Zipf-like weights 65536 / (rank + 1).
//
// Grammar of a sentence (n, m: number, singular or plural; [x] optional; depth bounds the nesting):
//
//   sentence  := clause "."                              (55%)
//              | clause ", " conj " " clause "."         (15%)   conj: and but so while because
//              | clause "; " clause "."                  ( 5%)
//              | prep " " np ", " clause "."             (10%)   a fronted prepositional phrase
//              | subject(n) " " verb(n) ", \"" clause ".\""    (15%)   a quotation (one of the 4
//                                                                  most frequent verbs)
//   clause    := subject(n) " " vp(n)
//   subject(n):= name (n = singular) | np(n)
//   np(n)     := det(n) [adj [adj]] noun(n) [rel(n)] [pp] [paren]
//   det(n)    := the | a | every | this (singular) | the | some | many | these (plural)
//   rel(n)    := "that" vp(n)                            the verb agrees with the head noun
//              | "which" subject(m) [adv] verb(m)        the head's number waits past a whole clause
//   vp(n)     := [adv] verb(n) [object] [pp] [adv]       object := name | np(any)
//   pp        := prep (name | np(any))
//   paren     := "(" inner ")" | "[" inner "]"           inner := pp | clause | "which" subject(m) verb(m)
//
// The kind of bracket is random (3 in 4 round), so a closing bracket must match the opener of its
// depth; brackets nest up to 3 deep. Relative clauses and phrases nest up to depth 3, less likely at
// each level; a name is a subject 1 time in 5, an object 1 in 6.
//
// A relative clause always follows its head noun directly, so "that" agrees with the noun just
// before it, and a verb agrees with the innermost clause that has a subject but no verb yet: a stack.
// "The bako which the meras of Kova (in [the tavo]) dosar tamels." carries "bako" (singular) for
// about 50 characters and closes "[" before "(".
//
// Documents. A header line introduces 2-4 names invented for the document (2-3 capitalised syllables
// and perhaps a final n|r|l|s|m) and the title names two topic nouns; the topic is 12 nouns, 8 verbs and
// 6 adjectives of the lexicon, chosen per document and used for 3 in 4 word choices. The body is
// sentences (1 in 5 starts a new line, a paragraph) until it passes a length drawn from [800, 1200]
// characters and every name has appeared in the body again, so names recur in every document and are
// predictable only by copying from the header or an earlier mention. A blank line ends a document:
//
//   Tesimor, Kova and Palu: the bakos of the mera.
//   The bako which the meras dosar tamels. Kova dosars the tebi mera (in the tavo). ...
//   <blank line>
//
// Streams. corpus_generate(seed, stream, out) writes the first out.size() characters of a stream.
// The seed fixes the lexicon; document k of a stream is generated from its own generator, seeded by
// (seed, stream, k), so the train and eval streams are different document sequences over the same
// lexicon, and a longer request extends a shorter one (prefix-stable). Only integer arithmetic
// decides anything (SplitMix64, multiply-shift ranges, integer weights), so the bytes are the same on
// every platform and in both WebAssembly builds.
//
// Cost. A call builds the lexicon (about 5 KB, on the stack, a few microseconds) and then writes
// characters straight to `out`; nothing is allocated, and recursion is bounded by the depth limits.
// Natively it writes well over 10 MB/s (examples/cpp/corpus_sample.cpp measures it).
//
// Measured (tests/cpp/test_corpus.cpp, 200k-1M characters per statistic): documents of 1075
// characters on average (814..1379); 31% of the verbs are 20 or more characters after their subject;
// a noun already seen in the same document is seen again 54% of the time (12% for the previous
// document); n-gram perplexity of 100k eval characters counted on 1M train characters (Witten-Bell):
// unigram 21.5, bigram 8.7, trigram 5.3, 4-gram 3.5, 5-gram 3.2.
//
// Alphabet. 63 symbols, token id = index in byte order, and one reserved id for everything else:
//
//   id  0     1     2    3    4    5    6    7    8    9..34   35   36   37..62
//       '\n'  ' '   '"'  '('  ')'  ','  '.'  ':'  ';'  'A'-'Z' '['  ']'  'a'-'z'       63: unknown
//
// The generated text uses 54 of them: no C H J Q X Y, no j q x. Any other byte (digits, '?', '!', '\'', tabs, '\r',
// bytes >= 128, ...) encodes to corpus_unknown_id, which decodes to '?': encoding is total, and
// encode(decode(id)) == id for every id in [0, 64).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "posenc/status.hpp"

namespace posenc::lm {

// The two document streams of one seed.
enum class CorpusStream : std::int32_t { train = 0, eval = 1 };

// The symbols with an id of their own, in id order (byte order).
inline constexpr std::string_view corpus_alphabet = "\n \"(),.:;ABCDEFGHIJKLMNOPQRSTUVWXYZ[]abcdefghijklmnopqrstuvwxyz";
inline constexpr std::int32_t corpus_unknown_id = 63;  // every byte outside the alphabet
inline constexpr std::int32_t corpus_vocab_size = 64;  // ids are in [0, corpus_vocab_size)
inline constexpr char corpus_unknown_char = '?';       // what corpus_unknown_id decodes to

// One byte to its id (corpus_unknown_id outside the alphabet), and back ('?' for corpus_unknown_id).
std::int32_t corpus_encode_char(char c);
char corpus_decode_id(std::int32_t id);  // precondition: 0 <= id < corpus_vocab_size

// Arbitrary text (e.g. a user's file) to ids: out.size() must equal text.size().
Status corpus_encode(std::span<const char> text, std::span<std::int32_t> out);
// Ids back to text: out.size() must equal ids.size(), every id in [0, 64).
Status corpus_decode(std::span<const std::int32_t> ids, std::span<char> out);

// The first out.size() characters (or their ids) of a stream. out.size() is in [1, 256 MiB] for
// characters and [1, 64 Mi] for ids. Errors: stream (not train or eval), nChars (the size).
Status corpus_generate(std::uint64_t seed, CorpusStream stream, std::span<char> out);
Status corpus_generate_ids(std::uint64_t seed, CorpusStream stream, std::span<std::int32_t> out);

// A statistics helper: per-token perplexity of `eval` under an interpolated Witten-Bell n-gram model
// of order `order` (1..8) counted on `train` (Witten & Bell 1991; Chen & Goodman 1998, sec. 2.4):
//
//     P_0(c)    = 1 / 64
//     P_k(c|h)  = (C(h c) + T(h) P_{k-1}(c|h')) / (C(h) + T(h))     if C(h) > 0, else P_{k-1}(c|h')
//
// h is the previous k-1 tokens, h' its last k-2, C a count in train, T(h) the number of distinct
// tokens that follow h in train. The first tokens of eval use the context they have. Ids must be in
// [0, 64); train and eval must not be empty. Allocates (count tables of about 16 bytes per train
// token); meant for tests, examples and baselines, not for hot loops.
Status corpus_ngram_perplexity(std::span<const std::int32_t> train, std::span<const std::int32_t> eval,
                               std::int32_t order, double& perplexity);

}  // namespace posenc::lm
