// SPDX-License-Identifier: MIT
// Embind: the generated corpus of the train-short-test-long experiment (src/posenc/lm/corpus.hpp).
#include <emscripten/bind.h>

#include <cmath>
#include <string>

#include "common.hpp"
#include "posenc/lm/corpus.hpp"

namespace {

using namespace posenc;
using namespace posenc::bind;
using namespace posenc::lm;

int corpus_generate_js(double seed, std::int32_t stream, std::uintptr_t out, std::uint32_t n) {
  if (!is_seed(seed)) return report(Status::range("seed", "must be an integer in [0, 2^53)"));
  if (stream != 0 && stream != 1) return report(Status::type("stream", "must be 'train' or 'eval'"));
  return report(corpus_generate_ids(std::uint64_t(seed), static_cast<CorpusStream>(stream), buffer<std::int32_t>(out, n)));
}

// Bytes (e.g. a user's UTF-8 file) -> ids; bytes outside the alphabet map to the unknown id.
int corpus_encode_js(std::uintptr_t bytes, std::uint32_t n, std::uintptr_t out) {
  return report(corpus_encode(buffer<const char>(bytes, n), buffer<std::int32_t>(out, n)));
}

int corpus_decode_js(std::uintptr_t ids, std::uint32_t n, std::uintptr_t out) {
  return report(corpus_decode(buffer<const std::int32_t>(ids, n), buffer<char>(out, n)));
}

std::string corpus_alphabet_js() { return std::string(corpus_alphabet); }

}  // namespace

EMSCRIPTEN_BINDINGS(posenc_corpus) {
  emscripten::function("corpusGenerate", &corpus_generate_js);
  emscripten::function("corpusEncode", &corpus_encode_js);
  emscripten::function("corpusDecode", &corpus_decode_js);
  emscripten::function("corpusAlphabet", &corpus_alphabet_js);
}
