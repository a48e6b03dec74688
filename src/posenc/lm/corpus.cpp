// SPDX-License-Identifier: MIT
// posenc::lm: the procedural corpus (see corpus.hpp for the grammar, the streams and the alphabet).
#include "posenc/lm/corpus.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <vector>

#include "posenc/random.hpp"

namespace posenc::lm {

namespace {

// ---------------------------------------------------------------------------------------------
// Alphabet

constexpr std::array<std::int8_t, 256> make_encode_table() {
  std::array<std::int8_t, 256> t{};
  for (auto& v : t) v = static_cast<std::int8_t>(corpus_unknown_id);
  for (std::size_t i = 0; i < corpus_alphabet.size(); ++i)
    t[static_cast<unsigned char>(corpus_alphabet[i])] = static_cast<std::int8_t>(i);
  return t;
}
constexpr std::array<std::int8_t, 256> encode_table = make_encode_table();
static_assert(corpus_alphabet.size() == static_cast<std::size_t>(corpus_unknown_id));

// ---------------------------------------------------------------------------------------------
// Random numbers: the library's SplitMix64 (random.hpp), integer only.

constexpr std::uint64_t golden = splitmix64_increment;
constexpr std::uint64_t mix64(std::uint64_t z) { return splitmix64_mix(z); }

struct Rng : SplitMix64 {
  std::uint32_t below(std::uint32_t n) { return static_cast<std::uint32_t>(SplitMix64::below(n)); }
  bool chance(std::uint32_t num, std::uint32_t den) { return below(den) < num; }
};

// Domain-separation tags for the seeds.
constexpr std::uint64_t lexicon_tag = 0x6C657869636F6E31ull;       // "lexicon1"
constexpr std::uint64_t stream_tags[2] = {0x747261696E303031ull,   // "train001"
                                          0x6576616C30303031ull};  // "eval0001"

Rng document_rng(std::uint64_t seed, CorpusStream stream, std::uint64_t doc) {
  const std::uint64_t key = mix64(mix64(seed ^ stream_tags[static_cast<int>(stream)]) + golden);
  return Rng{mix64(key + doc * golden)};
}

// ---------------------------------------------------------------------------------------------
// Spelling

constexpr std::string_view consonants = "bdfgkklmmnnpprrssttvz";  // repeats weight the common ones
constexpr std::string_view clusters[] = {"tr", "st", "pr", "kl", "br", "sh", "th", "gr"};
constexpr std::string_view vowels = "aaeeiioou";
constexpr std::string_view noun_final_vowels = "aaou";
constexpr std::string_view adjective_final_vowels = "ei";
constexpr std::string_view verb_final_consonants = "lnrmtk";
constexpr std::string_view name_final_consonants = "nrlsm";

constexpr std::string_view function_words[] = {
    "the",  "a",  "every", "this", "some", "many",  "these", "of",    "in",  "on",  "with", "from",  "under",
    "near", "by", "for",   "to",   "over", "after", "that",  "which", "and", "but", "so",   "while", "because"};

constexpr std::string_view det_singular[] = {"the", "the", "the", "a", "a", "every", "this"};
constexpr std::string_view det_plural[] = {"the", "the", "the", "some", "many", "these"};
constexpr std::string_view prepositions[] = {"of",    "of",   "in", "in",  "on", "with", "from",
                                             "under", "near", "by", "for", "to", "over", "after"};
constexpr std::string_view conjunctions[] = {"and", "and", "but", "so", "while", "because"};

template <std::size_t N>
std::string_view pick(Rng& rng, const std::string_view (&list)[N]) {
  return list[rng.below(static_cast<std::uint32_t>(N))];
}
char pick(Rng& rng, std::string_view letters) { return letters[rng.below(static_cast<std::uint32_t>(letters.size()))]; }

constexpr std::size_t max_word = 12;  // longest: 3 syllables of <= 3 letters + 1 final consonant = 10

struct Word {
  char text[max_word];
  std::uint8_t len;
  std::string_view view() const { return {text, len}; }
};

// Append one syllable: an onset (a consonant, or 1 in 8 times a cluster) and a vowel of vowel_set.
void syllable(Rng& rng, Word& w, std::string_view vowel_set) {
  if (rng.chance(1, 8)) {
    const std::string_view c = pick(rng, clusters);
    w.text[w.len++] = c[0];
    w.text[w.len++] = c[1];
  } else {
    w.text[w.len++] = pick(rng, consonants);
  }
  w.text[w.len++] = pick(rng, vowel_set);
}

enum class WordClass { noun, verb, adjective, name };

Word invent(Rng& rng, WordClass cls) {
  Word w{};
  std::uint32_t syllables = 2;
  switch (cls) {
    case WordClass::noun: {
      const std::uint32_t r = rng.below(10);
      syllables = r < 1 ? 1 : r < 7 ? 2 : 3;
      break;
    }
    case WordClass::verb:
      syllables = 1 + rng.below(2);
      break;
    case WordClass::adjective:
      syllables = 2 + rng.below(2);
      break;
    case WordClass::name:
      syllables = 2 + rng.below(2);
      break;
  }
  for (std::uint32_t s = 0; s + 1 < syllables; ++s) syllable(rng, w, vowels);
  switch (cls) {
    case WordClass::noun:
      syllable(rng, w, noun_final_vowels);
      break;
    case WordClass::adjective:
      syllable(rng, w, adjective_final_vowels);
      break;
    case WordClass::verb:
      syllable(rng, w, vowels);
      w.text[w.len++] = pick(rng, verb_final_consonants);
      break;
    case WordClass::name:
      syllable(rng, w, vowels);
      if (rng.chance(1, 2)) w.text[w.len++] = pick(rng, name_final_consonants);
      break;
  }
  return w;
}

bool is_function_word(std::string_view form) {
  for (const std::string_view f : function_words)
    if (f == form) return true;
  return false;
}

// Whether the stem or the stem + suffix (its other form) is a function word.
bool clashes(const Word& w, std::string_view suffix) {
  if (is_function_word(w.view())) return true;
  char buf[max_word + 2];
  std::memcpy(buf, w.text, w.len);
  std::memcpy(buf + w.len, suffix.data(), suffix.size());
  return is_function_word({buf, w.len + suffix.size()});
}

// ---------------------------------------------------------------------------------------------
// The lexicon: fixed-size tables, filled from the seed.

template <std::size_t N>
struct WordClassTable {
  static constexpr std::size_t size = N;
  Word words[N];
  std::uint32_t cumulative[N];  // Zipf-like weights 65536 / (rank + 1), summed

  void fill(Rng& rng, WordClass cls, std::string_view suffix) {
    std::uint32_t total = 0;
    for (std::size_t i = 0; i < N; ++i) {
      for (;;) {
        words[i] = invent(rng, cls);
        bool ok = !clashes(words[i], suffix);
        for (std::size_t j = 0; ok && j < i; ++j) ok = words[j].view() != words[i].view();
        if (ok) break;
      }
      total += 65536u / static_cast<std::uint32_t>(i + 1);
      cumulative[i] = total;
    }
  }
  std::size_t zipf(Rng& rng) const {
    const std::uint32_t x = rng.below(cumulative[N - 1]);
    return static_cast<std::size_t>(std::upper_bound(cumulative, cumulative + N, x) - cumulative);
  }
};

struct Lexicon {
  WordClassTable<140> nouns;
  WordClassTable<90> verbs;
  WordClassTable<52> adjectives;  // the adverbs are these + "ly"

  explicit Lexicon(std::uint64_t seed) {
    Rng rng{mix64(seed ^ lexicon_tag)};
    nouns.fill(rng, WordClass::noun, "s");
    verbs.fill(rng, WordClass::verb, "s");
    adjectives.fill(rng, WordClass::adjective, "ly");
  }
};

// ---------------------------------------------------------------------------------------------
// Output: characters or ids, written in place; positions past the end are counted, not written.

template <class T>
struct Sink {
  T* out;
  std::size_t size;
  std::size_t pos = 0;
  bool space = false;       // a word needs a space before it
  bool capitalise = false;  // the next word starts a sentence or is a name

  void put(char c) {
    if (pos < size) {
      if constexpr (sizeof(T) == 1) {
        out[pos] = c;
      } else {
        out[pos] = encode_table[static_cast<unsigned char>(c)];
      }
    }
    ++pos;
  }
  bool full() const { return pos >= size; }

  void word(std::string_view w, std::string_view suffix = {}) {
    if (space) put(' ');
    char first = w[0];
    if (capitalise && first >= 'a' && first <= 'z') first = static_cast<char>(first - 'a' + 'A');
    put(first);
    for (std::size_t i = 1; i < w.size(); ++i) put(w[i]);
    for (const char c : suffix) put(c);
    space = true;
    capitalise = false;
  }
  void punct(char c) {  // , . ; : and closing brackets: attached to the word before
    put(c);
    space = true;
  }
  void open(char c) {  // opening brackets and quotes: attached to the word after
    if (space) put(' ');
    put(c);
    space = false;
  }
  void newline() {
    put('\n');
    space = false;
  }
};

// ---------------------------------------------------------------------------------------------
// One document

enum class Number { singular, plural };

constexpr std::size_t max_names = 4;
constexpr std::size_t topic_nouns = 12, topic_verbs = 8, topic_adjectives = 6;
constexpr int max_depth = 3;  // nesting of relative clauses, phrases and brackets

template <std::size_t K, std::size_t N>
void choose_distinct(Rng& rng, std::uint16_t (&out)[K]) {
  for (std::size_t i = 0; i < K; ++i) {
    for (;;) {
      out[i] = static_cast<std::uint16_t>(rng.below(static_cast<std::uint32_t>(N)));
      bool fresh = true;
      for (std::size_t j = 0; j < i; ++j) fresh = fresh && out[j] != out[i];
      if (fresh) break;
    }
  }
}

template <class T>
class Document {
 public:
  Document(const Lexicon& lex, Sink<T>& sink, Rng rng) : lex_(lex), out_(sink), rng_(rng) {}

  void write() {
    const std::size_t start = out_.pos;
    choose_names();
    choose_distinct<topic_nouns, decltype(lex_.nouns)::size>(rng_, topic_noun_);
    choose_distinct<topic_verbs, decltype(lex_.verbs)::size>(rng_, topic_verb_);
    choose_distinct<topic_adjectives, decltype(lex_.adjectives)::size>(rng_, topic_adjective_);
    header();
    const std::size_t target = 800 + rng_.below(401);
    for (;;) {
      sentence();
      if (out_.full()) return;
      overtime_ = out_.pos - start >= target;
      if (overtime_ && all_names_used()) break;
      if (rng_.chance(1, 5)) out_.newline();
    }
    out_.newline();
    out_.newline();
  }

 private:
  const Lexicon& lex_;
  Sink<T>& out_;
  Rng rng_;
  Word name_[max_names];
  bool used_[max_names] = {};
  std::size_t names_ = 0;
  std::uint16_t topic_noun_[topic_nouns], topic_verb_[topic_verbs], topic_adjective_[topic_adjectives];
  int brackets_ = 0;
  bool overtime_ = false;  // the body is long enough, but a name has not recurred yet

  void choose_names() {
    names_ = 2 + rng_.below(3);
    for (std::size_t i = 0; i < names_; ++i) {
      for (;;) {
        name_[i] = invent(rng_, WordClass::name);
        bool ok = !is_function_word(name_[i].view());
        for (std::size_t j = 0; ok && j < i; ++j) ok = name_[j].view() != name_[i].view();
        if (ok) break;
      }
    }
  }
  bool all_names_used() const {
    for (std::size_t i = 0; i < names_; ++i)
      if (!used_[i]) return false;
    return true;
  }

  // "Tesimor, Kova and Palu: the bakos of the mera."
  void header() {
    for (std::size_t i = 0; i < names_; ++i) {
      if (i + 1 == names_) out_.word("and");
      out_.capitalise = true;
      out_.word(name_[i].view());
      if (i + 2 < names_) out_.punct(',');
    }
    out_.punct(':');
    const std::uint32_t first = rng_.below(topic_nouns);
    const std::uint32_t second = (first + 1 + rng_.below(topic_nouns - 1)) % topic_nouns;  // another one
    out_.word("the");
    noun_word(topic_noun_[first], random_number());
    out_.word("of");
    out_.word("the");
    noun_word(topic_noun_[second], random_number());
    out_.punct('.');
    out_.newline();
  }

  Number random_number() { return rng_.chance(1, 2) ? Number::singular : Number::plural; }

  // --- words
  void noun_word(std::size_t i, Number n) { out_.word(lex_.nouns.words[i].view(), n == Number::plural ? "s" : ""); }
  void noun(Number n) {
    noun_word(rng_.chance(3, 4) ? topic_noun_[rng_.below(topic_nouns)] : lex_.nouns.zipf(rng_), n);
  }
  void verb(Number n) {
    const std::size_t i = rng_.chance(3, 4) ? topic_verb_[rng_.below(topic_verbs)] : lex_.verbs.zipf(rng_);
    out_.word(lex_.verbs.words[i].view(), n == Number::singular ? "s" : "");
  }
  void speech_verb(Number n) {  // the four most frequent verbs also introduce quotations
    out_.word(lex_.verbs.words[rng_.below(4)].view(), n == Number::singular ? "s" : "");
  }
  std::size_t adjective_index() {
    return rng_.chance(3, 4) ? topic_adjective_[rng_.below(topic_adjectives)] : lex_.adjectives.zipf(rng_);
  }
  void adjective() { out_.word(lex_.adjectives.words[adjective_index()].view()); }
  void adverb() { out_.word(lex_.adjectives.words[adjective_index()].view(), "ly"); }
  void name() {
    std::size_t i = rng_.below(static_cast<std::uint32_t>(names_));
    if (overtime_ || rng_.chance(1, 2)) {  // prefer a name the body has not used yet
      for (std::size_t j = 0; j < names_; ++j) {
        if (!used_[j]) {
          i = j;
          break;
        }
      }
    }
    used_[i] = true;
    out_.capitalise = true;
    out_.word(name_[i].view());
  }
  void determiner(Number n) { out_.word(n == Number::singular ? pick(rng_, det_singular) : pick(rng_, det_plural)); }

  // --- phrases
  // det [adj [adj]] noun [rel] [pp] [paren]
  void np(Number n, int depth, bool rel_allowed) {
    determiner(n);
    if (rng_.chance(1, 3)) {
      adjective();
      if (rng_.chance(1, 6)) adjective();
    }
    noun(n);
    if (rel_allowed && depth < max_depth && rng_.chance(2, 5 * (depth + 1))) rel(n, depth + 1);
    if (depth < max_depth && rng_.chance(1, 5 * (depth + 1))) pp(depth + 1);
    if (brackets_ < max_depth && rng_.chance(1, brackets_ == 0 ? 8 : 3)) paren(depth + 1);
  }

  Number subject(int depth) {
    if (rng_.chance(overtime_ ? 2 : 1, 5)) {
      name();
      return Number::singular;
    }
    const Number n = random_number();
    np(n, depth, true);
    return n;
  }

  void object(int depth) {
    if (rng_.chance(1, 6)) {
      name();
    } else {
      np(random_number(), depth, depth < 2);
    }
  }

  void pp(int depth) {
    out_.word(pick(rng_, prepositions));
    if (rng_.chance(1, 6)) {
      name();
    } else {
      np(random_number(), depth, depth < 2);
    }
  }

  void vp(Number n, int depth) {
    if (rng_.chance(1, 8)) adverb();
    verb(n);
    if (rng_.chance(3, 5)) object(depth + 1);
    if (depth < max_depth && rng_.chance(1, 4 * (depth + 1))) pp(depth + 1);
    if (rng_.chance(1, 8)) adverb();
  }

  void object_relative(int depth) {  // "which" subject(m) [adv] verb(m)
    out_.word("which");
    const Number m = subject(depth);
    if (rng_.chance(1, 8)) adverb();
    verb(m);
  }

  void rel(Number n, int depth) {
    if (rng_.chance(1, 2)) {
      out_.word("that");
      vp(n, depth);
    } else {
      object_relative(depth);
    }
  }

  void paren(int depth) {
    const bool round = rng_.chance(3, 4);
    ++brackets_;
    out_.open(round ? '(' : '[');
    const std::uint32_t kind = rng_.below(5);
    if (kind < 2) {
      pp(depth);
    } else if (kind < 4) {
      clause(depth);
    } else {
      object_relative(depth);
    }
    out_.punct(round ? ')' : ']');
    --brackets_;
  }

  void clause(int depth) {
    const Number n = subject(depth);
    vp(n, depth);
  }

  void sentence() {
    out_.capitalise = true;
    const std::uint32_t kind = rng_.below(20);
    if (kind < 11) {
      clause(0);
    } else if (kind < 14) {
      clause(0);
      out_.punct(',');
      out_.word(pick(rng_, conjunctions));
      clause(0);
    } else if (kind < 15) {
      clause(0);
      out_.punct(';');
      clause(0);
    } else if (kind < 17) {
      out_.word(pick(rng_, prepositions));
      if (rng_.chance(1, 4)) {
        name();
      } else {
        np(random_number(), 1, false);
      }
      out_.punct(',');
      clause(0);
    } else {
      const Number n = subject(1);
      speech_verb(n);
      out_.punct(',');
      out_.open('"');
      out_.capitalise = true;
      clause(0);
      out_.punct('.');
      out_.punct('"');
      return;
    }
    out_.punct('.');
  }
};

template <class T>
Status generate(std::uint64_t seed, CorpusStream stream, std::span<T> out) {
  if (stream != CorpusStream::train && stream != CorpusStream::eval)
    return Status::type("stream", "must be train (0) or eval (1)");
  if (out.empty()) return Status::range("nChars", "must be at least 1");
  if (out.size() > max_output_bytes / sizeof(T)) return Status::range("nChars", "output above 256 MiB");
  const Lexicon lexicon(seed);
  Sink<T> sink{out.data(), out.size()};
  for (std::uint64_t doc = 0; !sink.full(); ++doc) {
    Document<T>(lexicon, sink, document_rng(seed, stream, doc)).write();
  }
  return Status::success();
}

// ---------------------------------------------------------------------------------------------
// n-gram statistics

// The distinct k-grams of `ids`, sorted, with their counts.
struct Grams {
  std::vector<std::uint64_t> code;
  std::vector<std::uint32_t> count;

  Grams(std::span<const std::int32_t> ids, std::size_t k) {
    std::vector<std::uint64_t> all;
    if (ids.size() >= k) all.reserve(ids.size() - k + 1);
    for (std::size_t i = k; i <= ids.size(); ++i) all.push_back(pack(ids.subspan(i - k, k)));
    std::sort(all.begin(), all.end());
    for (std::size_t i = 0; i < all.size();) {
      std::size_t j = i;
      while (j < all.size() && all[j] == all[i]) ++j;
      code.push_back(all[i]);
      count.push_back(static_cast<std::uint32_t>(j - i));
      i = j;
    }
  }
  // Oldest token in the highest bits: the grams sharing a context (all but the last token) are
  // contiguous in sorted order.
  static std::uint64_t pack(std::span<const std::int32_t> g) {
    std::uint64_t c = 0;
    for (const std::int32_t t : g) c = (c << 6) | static_cast<std::uint64_t>(t);
    return c;
  }
};

}  // namespace

std::int32_t corpus_encode_char(char c) { return encode_table[static_cast<unsigned char>(c)]; }

char corpus_decode_id(std::int32_t id) {
  return id >= 0 && id < corpus_unknown_id ? corpus_alphabet[static_cast<std::size_t>(id)] : corpus_unknown_char;
}

Status corpus_encode(std::span<const char> text, std::span<std::int32_t> out) {
  if (out.size() != text.size()) return Status::range("out", "must have one id per byte of text");
  for (std::size_t i = 0; i < text.size(); ++i) out[i] = corpus_encode_char(text[i]);
  return Status::success();
}

Status corpus_decode(std::span<const std::int32_t> ids, std::span<char> out) {
  if (out.size() != ids.size()) return Status::range("out", "must have one byte per id");
  for (const std::int32_t id : ids)
    if (id < 0 || id >= corpus_vocab_size) return Status::range("ids", "must be in [0, 64)");
  for (std::size_t i = 0; i < ids.size(); ++i) out[i] = corpus_decode_id(ids[i]);
  return Status::success();
}

Status corpus_generate(std::uint64_t seed, CorpusStream stream, std::span<char> out) {
  return generate(seed, stream, out);
}

Status corpus_generate_ids(std::uint64_t seed, CorpusStream stream, std::span<std::int32_t> out) {
  return generate(seed, stream, out);
}

Status corpus_ngram_perplexity(std::span<const std::int32_t> train, std::span<const std::int32_t> eval,
                               std::int32_t order, double& perplexity) {
  if (order < 1 || order > 8) return Status::range("order", "must be in [1, 8]");
  if (train.empty()) return Status::range("train", "must not be empty");
  if (eval.empty()) return Status::range("eval", "must not be empty");
  const auto valid = [](std::span<const std::int32_t> ids) {
    return std::all_of(ids.begin(), ids.end(), [](std::int32_t id) { return id >= 0 && id < corpus_vocab_size; });
  };
  if (!valid(train)) return Status::range("train", "ids must be in [0, 64)");
  if (!valid(eval)) return Status::range("eval", "ids must be in [0, 64)");
  std::vector<Grams> grams;
  for (std::size_t k = 1; k <= static_cast<std::size_t>(order); ++k) grams.emplace_back(train, k);

  double log_sum = 0.0;
  for (std::size_t i = 0; i < eval.size(); ++i) {
    double p = 1.0 / corpus_vocab_size;
    const std::size_t context = std::min(i, static_cast<std::size_t>(order) - 1);
    for (std::size_t k = 1; k <= context + 1; ++k) {  // k-gram: k - 1 tokens of context
      const Grams& g = grams[k - 1];
      const std::uint64_t h = Grams::pack(eval.subspan(i + 1 - k, k - 1));
      const auto first = std::lower_bound(g.code.begin(), g.code.end(), h << 6);
      const auto last = std::lower_bound(first, g.code.end(), (h + 1) << 6);
      if (first == last) continue;  // C(h) = 0: keep the lower order
      double c_h = 0.0, c_hc = 0.0;
      const std::uint64_t target = (h << 6) | static_cast<std::uint64_t>(eval[i]);
      for (auto it = first; it != last; ++it) {
        const double c = g.count[static_cast<std::size_t>(it - g.code.begin())];
        c_h += c;
        if (*it == target) c_hc = c;
      }
      const double t_h = static_cast<double>(last - first);
      p = (c_hc + t_h * p) / (c_h + t_h);
    }
    log_sum += std::log(p);
  }
  perplexity = std::exp(-log_sum / static_cast<double>(eval.size()));
  return Status::success();
}

}  // namespace posenc::lm
