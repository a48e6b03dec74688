// SPDX-License-Identifier: MIT
// Fuzz target: the corpus: encode arbitrary bytes, decode arbitrary ids, generate (text and ids),
// the n-gram perplexity of arbitrary streams.
#include <string>

#include "fuzz.hpp"
#include "posenc/lm/corpus.hpp"

using namespace posenc;
using namespace posenc::lm;
using namespace posenc::fuzz;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Input in(data, size);
  const std::uint8_t mode = in.take<std::uint8_t>() % 4;
  const std::size_t extra = in.small(0, 3);
  // The rest of the bytes as text: encode, then decode the ids back.
  const std::string text(reinterpret_cast<const char*>(data) + (size - in.remaining()), in.remaining());
  std::vector<std::int32_t> ids(text.size() + extra - (extra == 3 && !text.empty() ? 4 : 0), -7);
  const Status es = corpus_encode(text, ids);
  check_status(es);
  if (es.ok()) {
    for (std::size_t i = 0; i < ids.size(); ++i) {
      POSENC_FUZZ_CHECK(ids[i] >= 0 && ids[i] < corpus_vocab_size);
      POSENC_FUZZ_CHECK(ids[i] == corpus_encode_char(text[i]));
    }
    std::string back(ids.size(), '\0');
    POSENC_FUZZ_CHECK(corpus_decode(ids, back).ok());
    for (std::size_t i = 0; i < back.size(); ++i)
      POSENC_FUZZ_CHECK(back[i] == (ids[i] == corpus_unknown_id ? corpus_unknown_char : text[i]));
  }
  Input rest(data, size);
  rest.take<std::uint16_t>();
  switch (mode) {
    case 0: {  // decode raw ids
      const std::vector<std::int32_t> raw = rest.ints(rest.small(0, 200), -2, 70);
      std::string out(rest.flag() ? raw.size() : rest.small(0, 200), '#');
      const Status s = corpus_decode(raw, out);
      check_status(s);
      if (!s.ok()) POSENC_FUZZ_CHECK(out == std::string(out.size(), '#'));
      break;
    }
    case 1: {  // generate
      const std::uint64_t seed = rest.take<std::uint64_t>();
      const auto stream = static_cast<CorpusStream>(rest.below(3));
      std::string out(rest.small(0, 3000), '#');
      check_status(corpus_generate(seed, stream, out));
      std::vector<std::int32_t> gen(rest.small(0, 3000), -7);
      const Status s = corpus_generate_ids(seed, stream, gen);
      check_status(s);
      if (s.ok())
        for (std::int32_t x : gen) POSENC_FUZZ_CHECK(x >= 0 && x < corpus_vocab_size);
      break;
    }
    default: {  // n-gram perplexity
      const std::vector<std::int32_t> train = rest.ints(rest.small(0, 300), -1, 64);
      const std::vector<std::int32_t> eval = rest.ints(rest.small(0, 100), -1, 64);
      double ppl = -1;
      const Status s = corpus_ngram_perplexity(train, eval, std::int32_t(rest.integer()), ppl);
      check_status(s);
      if (s.ok()) POSENC_FUZZ_CHECK(std::isfinite(ppl) && ppl >= 1.0);
      break;
    }
  }
  return 0;
}
