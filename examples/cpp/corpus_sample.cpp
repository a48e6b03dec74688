// SPDX-License-Identifier: MIT
// Print the first documents of the procedural corpus (train stream) and its statistics.
//   corpus_sample [seed] [documents]
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "posenc/lm/corpus.hpp"

namespace lm = posenc::lm;

int main(int argc, char** argv) {
  const std::uint64_t seed = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1;
  const int shown = argc > 2 ? std::atoi(argv[2]) : 2;

  // The documents: a prefix long enough for them, cut at the blank line after the last one.
  std::string text(4096 * static_cast<std::size_t>(shown > 0 ? shown : 1), '\0');
  if (const posenc::Status s = lm::corpus_generate(seed, lm::CorpusStream::train, text); !s.ok()) {
    std::fprintf(stderr, "corpus_sample: %s %s\n", s.param, s.message);
    return 2;
  }
  std::size_t end = 0;
  for (int d = 0; d < shown; ++d) end = text.find("\n\n", end) + 2;
  std::printf("seed %llu, train stream, first %d documents:\n\n%s", static_cast<unsigned long long>(seed), shown,
              text.substr(0, end).c_str());

  // Speed: 64 MB of characters, best of 3.
  std::vector<char> big(std::size_t{64} << 20);
  double best = 1e30;
  for (int r = 0; r < 3; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    if (!lm::corpus_generate(seed, lm::CorpusStream::train, big).ok()) return 2;
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  std::size_t docs = 0, quotes = 0, brackets = 0;
  for (std::size_t i = 0; i + 1 < big.size(); ++i) {
    docs += big[i] == '\n' && big[i + 1] == '\n';
    quotes += big[i] == '"';
    brackets += big[i] == '(' || big[i] == '[';
  }
  const double mb = static_cast<double>(big.size()) / 1e6;
  std::printf("generation: %.1f MB in %.3f s = %.0f MB/s\n", mb, best, mb / best);
  std::printf("per 1000 characters: %.2f documents, %.2f quotations, %.2f brackets\n", 1000.0 * docs / big.size(),
              500.0 * quotes / big.size(), 1000.0 * brackets / big.size());

  // n-gram baselines: counted on 1M training characters, scored on 100k of the eval stream.
  std::vector<std::int32_t> train(1000000), eval(100000);
  if (!lm::corpus_generate_ids(seed, lm::CorpusStream::train, train).ok() ||
      !lm::corpus_generate_ids(seed, lm::CorpusStream::eval, eval).ok())
    return 2;
  std::printf("n-gram perplexity (Witten-Bell, train 1M, eval 100k):");
  for (int n = 1; n <= 5; ++n) {
    double ppl = 0;
    if (!lm::corpus_ngram_perplexity(train, eval, n, ppl).ok()) return 2;
    std::printf(" %d: %.2f%s", n, ppl, n < 5 ? "," : "\n");
  }
  return 0;
}
