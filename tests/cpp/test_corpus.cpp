// SPDX-License-Identifier: MIT
// Tests of the procedural corpus (src/posenc/lm/corpus.hpp).
//
// The generated text is checked from its surface only, with rules restated here from the design
// (word classes by their last letters, the function words, the bracket and quote rules): a parser of
// the grammar's agreement (a stack of clauses), a bracket stack, quote pairing, the header's names,
// and statistics that must show local and long-range structure. The one value taken from the code
// is the regression pin of the bytes (see "corpus: the bytes are pinned").
#include "posenc/lm/corpus.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

using posenc::lm::CorpusStream;

namespace {

std::string generate(std::uint64_t seed, CorpusStream stream, std::size_t n) {
  std::string s(n, '\0');
  const posenc::Status st = posenc::lm::corpus_generate(seed, stream, std::span<char>(s.data(), s.size()));
  REQUIRE_MESSAGE(st.ok(), st.param << ": " << st.message);
  return s;
}

std::vector<std::int32_t> encode(std::string_view text) {
  std::vector<std::int32_t> ids(text.size());
  REQUIRE(posenc::lm::corpus_encode(text, ids).ok());
  return ids;
}

// FNV-1a, 64 bits.
std::uint64_t fnv1a(std::string_view s) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (const char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ull;
  }
  return h;
}

// The complete documents of a stream prefix (each ends with a blank line; the last, cut off, is dropped).
std::vector<std::string> documents(const std::string& text) {
  std::vector<std::string> docs;
  std::size_t start = 0;
  for (std::size_t end; (end = text.find("\n\n", start)) != std::string::npos; start = end + 2)
    docs.push_back(text.substr(start, end + 1 - start));  // keeps the body's final '\n'
  return docs;
}

bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
bool is_letter(char c) { return is_lower(c) || is_upper(c); }

// --- the design restated: function words and word classes by their endings
const std::set<std::string> determiners_sg = {"a", "every", "this"};
const std::set<std::string> determiners_pl = {"some", "many", "these"};
const std::set<std::string> prepositions = {"of",   "in", "on",  "with", "from", "under",
                                            "near", "by", "for", "to",   "over", "after"};
const std::set<std::string> conjunctions = {"and", "but", "so", "while", "because"};

enum class Kind { det, prep, that, which, conj, noun, verb, adjective, adverb, name, unknown };
enum Number { singular = 0, plural = 1 };

struct Word {
  Kind kind = Kind::unknown;
  Number number = singular;
};

bool ends_in(std::string_view w, std::string_view letters, std::size_t from_end) {
  return w.size() > from_end && letters.find(w[w.size() - 1 - from_end]) != std::string_view::npos;
}

Word classify(std::string w) {
  const bool capital = is_upper(w[0]);
  if (capital) w[0] = static_cast<char>(w[0] - 'A' + 'a');
  if (w == "the") return {Kind::det, singular};
  if (determiners_sg.count(w)) return {Kind::det, singular};
  if (determiners_pl.count(w)) return {Kind::det, plural};
  if (prepositions.count(w)) return {Kind::prep};
  if (conjunctions.count(w)) return {Kind::conj};
  if (w == "that") return {Kind::that};
  if (w == "which") return {Kind::which};
  if (capital) return {Kind::name, singular};
  const std::string_view v = w;
  if (v.size() > 2 && v.ends_with("ly") && ends_in(v, "ei", 2)) return {Kind::adverb};
  if (ends_in(v, "aou", 0)) return {Kind::noun, singular};
  if (v.back() == 's' && ends_in(v, "aou", 1)) return {Kind::noun, plural};
  if (ends_in(v, "lnrmtk", 0)) return {Kind::verb, plural};
  if (v.back() == 's' && ends_in(v, "lnrmtk", 1)) return {Kind::verb, singular};
  if (ends_in(v, "ei", 0)) return {Kind::adjective};
  return {};
}

// --- the agreement parser
//
// A stack of clauses and of open brackets/quotes. A clause gets its subject from the first noun or
// name that is not the object of a preposition; "that" opens a clause whose subject is the noun just
// before it; "which" opens a clause whose subject comes next; a noun after a complete clause's verb is
// an object. A verb belongs to the innermost clause without a verb (complete clauses above it are
// closed first) and must have that clause's number.
struct AgreementReport {
  std::size_t verbs = 0;  // verbs checked
  std::size_t far = 0;    // ... whose subject is at least 20 characters back
  std::size_t max_distance = 0;
  std::size_t sentences = 0;
  std::vector<std::string> errors;
};

class AgreementParser {
 public:
  explicit AgreementParser(AgreementReport& r) : r_(r) {}

  // One document body (the header line removed).
  void body(const std::string& text) {
    text_ = &text;
    stack_.clear();
    in_pp_ = false;
    capital_next_ = true;
    for (std::size_t i = 0; i < text.size();) {
      if (is_letter(text[i])) {
        std::size_t j = i;
        while (j < text.size() && is_letter(text[j])) ++j;
        word(text.substr(i, j - i), i);
        i = j;
      } else {
        punct(text[i], i);
        ++i;
      }
    }
    if (!stack_.empty()) fail(text.size(), "document ends inside a sentence");
  }

 private:
  enum class Frame { clause, round, square, quote };
  struct Entry {
    Frame frame;
    Number number = singular;
    bool subject = false, verb = false;
    std::size_t subject_at = 0;
  };
  AgreementReport& r_;
  const std::string* text_ = nullptr;
  std::vector<Entry> stack_;
  bool in_pp_ = false, capital_next_ = true;
  Number last_noun_ = singular;
  std::size_t last_noun_at_ = 0;

  void fail(std::size_t at, const std::string& what) {
    if (r_.errors.size() < 5) {
      const std::size_t from = at > 80 ? at - 80 : 0;
      r_.errors.push_back(what + " at ..." + text_->substr(from, at - from) + "<|>" + text_->substr(at, 20));
    }
  }
  bool top_is_clause() const { return !stack_.empty() && stack_.back().frame == Frame::clause; }
  // Close the complete clauses on top; false if an incomplete one is in the way.
  bool close_complete() {
    while (top_is_clause() && stack_.back().verb) stack_.pop_back();
    return !top_is_clause();
  }

  void word(const std::string& w, std::size_t at) {
    if (capital_next_ != is_upper(w[0]) && !(is_upper(w[0]) && classify(w).kind == Kind::name))
      fail(at, capital_next_ ? "sentence starts in lower case" : "capital inside a sentence");
    capital_next_ = false;
    const Word c = classify(w);
    switch (c.kind) {
      case Kind::unknown:
        fail(at, "word of no class: " + w);
        break;
      case Kind::det:
      case Kind::adjective:
      case Kind::adverb:
        break;
      case Kind::prep:
        in_pp_ = true;
        break;
      case Kind::which:
        stack_.push_back({Frame::clause});
        break;
      case Kind::that:
        stack_.push_back({Frame::clause, last_noun_, true, false, last_noun_at_});
        break;
      case Kind::conj:
        if (!close_complete()) fail(at, "conjunction inside an incomplete clause");
        break;
      case Kind::noun:
      case Kind::name:
        last_noun_ = c.number;
        last_noun_at_ = at;
        if (in_pp_) {
          in_pp_ = false;
        } else if (top_is_clause() && !stack_.back().subject) {
          stack_.back().subject = true;
          stack_.back().number = c.number;
          stack_.back().subject_at = at;
        } else if (!top_is_clause()) {
          stack_.push_back({Frame::clause, c.number, true, false, at});
        } else if (!stack_.back().verb) {
          fail(at, "a second subject");
        }  // else: the object of a complete clause
        break;
      case Kind::verb: {
        close_complete();
        if (!top_is_clause() || !stack_.back().subject) {
          fail(at, "verb without a subject");
          break;
        }
        Entry& e = stack_.back();
        if (e.number != c.number) fail(at, "agreement: " + w);
        e.verb = true;
        ++r_.verbs;
        const std::size_t d = at - e.subject_at;
        if (d >= 20) ++r_.far;
        r_.max_distance = std::max(r_.max_distance, d);
        break;
      }
    }
  }

  void end_sentence(std::size_t at) {
    if (!close_complete() || !stack_.empty()) fail(at, "sentence ends with open clauses or brackets");
    stack_.clear();
    capital_next_ = true;
    ++r_.sentences;
  }

  void close(Frame f, std::size_t at) {
    if (!close_complete() || stack_.empty() || stack_.back().frame != f) {
      fail(at, "bad close");
      return;
    }
    stack_.pop_back();
  }

  void punct(char c, std::size_t at) {
    switch (c) {
      case ' ':
      case ',':
        break;
      case '\n':
        if (!stack_.empty()) fail(at, "line break inside a sentence");
        break;
      case ';':
        if (!close_complete()) fail(at, "';' inside an incomplete clause");
        capital_next_ = false;
        break;
      case '(':
        stack_.push_back({Frame::round});
        break;
      case '[':
        stack_.push_back({Frame::square});
        break;
      case ')':
        close(Frame::round, at);
        break;
      case ']':
        close(Frame::square, at);
        break;
      case '.':
        close_complete();
        if (stack_.empty()) {
          end_sentence(at);
        } else if (stack_.back().frame != Frame::quote) {
          fail(at, "'.' inside brackets");
        }
        break;
      case '"': {
        const bool closing =
            std::any_of(stack_.begin(), stack_.end(), [](const Entry& e) { return e.frame == Frame::quote; });
        if (closing) {
          close(Frame::quote, at);
          end_sentence(at);
        } else {
          stack_.push_back({Frame::quote});
          capital_next_ = true;
        }
        break;
      }
      default:
        fail(at, std::string("unexpected character '") + c + "'");
    }
  }
};

struct Header {
  std::vector<std::string> names;
  std::string body;
};

Header split_header(const std::string& doc) {
  Header h;
  const std::size_t eol = doc.find('\n');
  const std::string line = doc.substr(0, eol);
  h.body = doc.substr(eol + 1);
  std::string part = line.substr(0, line.find(':'));
  // "A and B", "A, B and C", "A, B, C and D"
  for (std::size_t pos = 0; pos < part.size();) {
    std::size_t end = pos;
    while (end < part.size() && is_letter(part[end])) ++end;
    const std::string w = part.substr(pos, end - pos);
    if (!w.empty() && w != "and") h.names.push_back(w);
    pos = end + 1;
  }
  return h;
}

bool contains_word(const std::string& text, const std::string& w) {
  for (std::size_t at = text.find(w); at != std::string::npos; at = text.find(w, at + 1)) {
    const bool left = at == 0 || !is_letter(text[at - 1]);
    const bool right = at + w.size() == text.size() || !is_letter(text[at + w.size()]);
    if (left && right) return true;
  }
  return false;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Alphabet

TEST_CASE("corpus: the alphabet, ids in byte order") {
  using namespace posenc::lm;
  std::string expect = "\n \"(),.:;";
  for (char c = 'A'; c <= 'Z'; ++c) expect += c;
  expect += "[]";
  for (char c = 'a'; c <= 'z'; ++c) expect += c;
  CHECK(corpus_alphabet == expect);
  CHECK(corpus_vocab_size == 64);
  CHECK(corpus_encode_char('\n') == 0);
  CHECK(corpus_encode_char(' ') == 1);
  CHECK(corpus_encode_char('"') == 2);
  CHECK(corpus_encode_char(';') == 8);
  CHECK(corpus_encode_char('A') == 9);
  CHECK(corpus_encode_char('Z') == 34);
  CHECK(corpus_encode_char('[') == 35);
  CHECK(corpus_encode_char(']') == 36);
  CHECK(corpus_encode_char('a') == 37);
  CHECK(corpus_encode_char('z') == 62);
  for (const char c : {'?', '!', '0', '9', '\'', '-', '\t', '\r', '\0', '_', '~', '\x7f'})
    CHECK(corpus_encode_char(c) == corpus_unknown_id);
  CHECK(corpus_encode_char(static_cast<char>(0xC3)) == corpus_unknown_id);  // UTF-8 lead byte
  CHECK(corpus_decode_id(corpus_unknown_id) == '?');
}

TEST_CASE("corpus: encode and decode round trip") {
  using namespace posenc::lm;
  std::vector<std::int32_t> all(64);
  for (int i = 0; i < 64; ++i) all[i] = i;
  std::string text(64, '\0');
  REQUIRE(corpus_decode(all, std::span<char>(text.data(), text.size())).ok());
  CHECK(encode(text) == all);  // encode(decode(id)) == id, unknown included

  // Every byte: in the alphabet it comes back; outside it becomes '?'.
  for (int b = 0; b < 256; ++b) {
    const char c = static_cast<char>(b);
    const bool in = corpus_alphabet.find(c) != std::string_view::npos;
    CHECK(corpus_decode_id(corpus_encode_char(c)) == (in ? c : '?'));
  }

  // User text: unknown bytes map to the reserved id, one id per byte.
  const std::string user = "It's 2024!\r\n(ok)";
  const std::vector<std::int32_t> ids = encode(user);
  REQUIRE(ids.size() == user.size());
  CHECK(ids[2] == corpus_unknown_id);  // '
  CHECK(ids[5] == corpus_unknown_id);  // 2
  CHECK(ids[11] == 0);                 // '\n'
  CHECK(ids[12] == 3);                 // '('
}

TEST_CASE("corpus: errors") {
  using namespace posenc::lm;
  std::string s(10, '\0');
  std::vector<std::int32_t> ids(10);
  posenc::Status st = corpus_generate(1, static_cast<CorpusStream>(2), std::span<char>(s.data(), 10));
  CHECK(st.code == posenc::Errc::type_error);
  CHECK(std::string(st.param) == "stream");
  st = corpus_generate(1, CorpusStream::train, std::span<char>());
  CHECK(st.code == posenc::Errc::range_error);
  CHECK(std::string(st.param) == "nChars");
  CHECK(corpus_generate_ids(1, CorpusStream::eval, std::span<std::int32_t>()).code == posenc::Errc::range_error);
  CHECK(corpus_encode(s, std::span<std::int32_t>(ids.data(), 9)).code == posenc::Errc::range_error);
  ids[3] = 64;
  CHECK(corpus_decode(ids, std::span<char>(s.data(), 10)).code == posenc::Errc::range_error);
  ids[3] = -1;
  CHECK(corpus_decode(ids, std::span<char>(s.data(), 10)).code == posenc::Errc::range_error);
  ids[3] = 0;
  double p = 0;
  CHECK(std::string(corpus_ngram_perplexity(ids, ids, 0, p).param) == "order");
  CHECK(std::string(corpus_ngram_perplexity(ids, ids, 9, p).param) == "order");
  CHECK(std::string(corpus_ngram_perplexity({}, ids, 2, p).param) == "train");
  CHECK(std::string(corpus_ngram_perplexity(ids, {}, 2, p).param) == "eval");
  ids[3] = 70;
  CHECK(std::string(corpus_ngram_perplexity(ids, std::span<const std::int32_t>(ids.data(), 2), 2, p).param) == "train");
  CHECK(std::string(corpus_ngram_perplexity(std::span<const std::int32_t>(ids.data(), 2), ids, 2, p).param) == "eval");
}

// ---------------------------------------------------------------------------------------------
// Streams

TEST_CASE("corpus: deterministic, prefix-stable, streams and seeds differ") {
  const std::string a = generate(1, CorpusStream::train, 50000);
  CHECK(generate(1, CorpusStream::train, 50000) == a);
  CHECK(generate(1, CorpusStream::train, 777) == a.substr(0, 777));  // a shorter request is a prefix
  CHECK(generate(1, CorpusStream::train, 1) == a.substr(0, 1));

  const std::string e = generate(1, CorpusStream::eval, 50000);
  const std::string b = generate(2, CorpusStream::train, 50000);
  CHECK(e != a);
  CHECK(b != a);

  // Train and eval share no document (first 40 of each), and the streams of seeds 1 and 2 neither.
  const auto da = documents(a), de = documents(e), db = documents(b);
  REQUIRE(da.size() >= 40);
  REQUIRE(de.size() >= 40);
  const std::set<std::string> train_docs(da.begin(), da.end());
  for (const auto& d : de) CHECK(train_docs.count(d) == 0);
  for (const auto& d : db) CHECK(train_docs.count(d) == 0);

  // Same seed, same lexicon: the eval stream uses the train stream's nouns; seed 2 has others.
  auto noun_stems = [](const std::string& text) {
    std::set<std::string> out;
    for (std::size_t i = 0; i < text.size();) {
      std::size_t j = i;
      while (j < text.size() && is_letter(text[j])) ++j;
      if (j > i && is_lower(text[i])) {
        std::string w = text.substr(i, j - i);
        const Word c = classify(w);
        if (c.kind == Kind::noun) out.insert(c.number == plural ? w.substr(0, w.size() - 1) : w);
      }
      i = j + 1;
    }
    return out;
  };
  const auto na = noun_stems(a), ne = noun_stems(e), nb = noun_stems(b);
  std::size_t shared_e = 0, shared_b = 0;
  for (const auto& w : ne) shared_e += na.count(w);
  for (const auto& w : nb) shared_b += na.count(w);
  MESSAGE("noun stems: train " << na.size() << ", eval " << ne.size() << " (shared " << shared_e << "), seed 2 "
                               << nb.size() << " (shared " << shared_b << ")");
  CHECK(na.size() <= 140);
  CHECK(shared_e == ne.size());     // every eval noun is a train noun
  CHECK(shared_b < nb.size() / 5);  // a different lexicon shares only chance coincidences
}

TEST_CASE("corpus: ids are the encoded characters") {
  const std::string text = generate(7, CorpusStream::eval, 20011);
  std::vector<std::int32_t> ids(text.size());
  REQUIRE(posenc::lm::corpus_generate_ids(7, CorpusStream::eval, ids).ok());
  CHECK(ids == encode(text));
}

// ---------------------------------------------------------------------------------------------
// The text

TEST_CASE("corpus: every character is in the alphabet, used set") {
  const std::string text = generate(3, CorpusStream::train, 200000);
  std::set<char> used(text.begin(), text.end());
  for (const char c : used) CHECK(posenc::lm::corpus_alphabet.find(c) != std::string_view::npos);
  MESSAGE("symbols used: " << used.size() << " of 63");
  CHECK(used.size() >= 40);
}

TEST_CASE("corpus: brackets balanced, nested in order, closed within the line") {
  const std::string text = generate(1, CorpusStream::train, 300000);
  std::string stack;
  std::size_t max_depth = 0, pairs = 0, mixed = 0;
  bool ok = true;
  for (const char c : text) {
    if (c == '(' || c == '[') {
      stack += c;
      max_depth = std::max(max_depth, stack.size());
    } else if (c == ')' || c == ']') {
      const char want = c == ')' ? '(' : '[';
      ok = ok && !stack.empty() && stack.back() == want;
      if (!stack.empty()) {
        stack.pop_back();
        ++pairs;
        if (!stack.empty() && stack.back() != want) ++mixed;  // e.g. ( [ ] ) or [ ( ) ]
      }
    } else if (c == '\n') {
      ok = ok && stack.empty();
    }
  }
  CHECK(ok);
  CHECK(stack.empty());
  MESSAGE("bracket pairs " << pairs << ", inside another kind " << mixed << ", deepest " << max_depth);
  CHECK(pairs > 1000);
  CHECK(mixed > 50);
  CHECK(max_depth == 3);
}

TEST_CASE("corpus: quotations pair up within a sentence") {
  const std::string text = generate(1, CorpusStream::train, 300000);
  std::size_t quotes = 0;
  bool open = false, ok = true;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\n') ok = ok && !open;
    if (c != '"') continue;
    if (!open) {  // opens after ", " and before a capital
      ok = ok && i >= 2 && text[i - 1] == ' ' && text[i - 2] == ',' && i + 1 < text.size() && is_upper(text[i + 1]);
      ++quotes;
    } else {  // closes after the period
      ok = ok && text[i - 1] == '.';
    }
    open = !open;
  }
  CHECK(ok);
  MESSAGE("quotations: " << quotes);
  CHECK(quotes > 300);
}

TEST_CASE("corpus: subject-verb agreement through nested clauses") {
  AgreementReport r;
  AgreementParser parser(r);
  for (const CorpusStream s : {CorpusStream::train, CorpusStream::eval}) {
    const std::string text = generate(11, s, 200000);
    for (const auto& doc : documents(text)) parser.body(split_header(doc).body);
  }
  for (const auto& e : r.errors) MESSAGE(e);
  CHECK(r.errors.empty());
  MESSAGE("sentences " << r.sentences << ", verbs " << r.verbs << ", subject >= 20 chars back: " << r.far
                       << ", farthest " << r.max_distance);
  CHECK(r.sentences > 3000);
  CHECK(r.verbs > 2 * r.sentences);  // relative clauses add verbs
  CHECK(r.far * 10 > r.verbs);       // more than 10% of the agreements span 20+ characters
  CHECK(r.max_distance >= 60);
}

TEST_CASE("corpus: the parser catches broken agreement") {
  // The checker itself: hand-written sentences, right and wrong.
  auto errors = [](const std::string& body) {
    AgreementReport r;
    AgreementParser(r).body(body);
    return r.errors.size();
  };
  CHECK(errors("The bako dosars.\n") == 0);
  CHECK(errors("The bakos dosar the mera.\n") == 0);
  CHECK(errors("The bako which the meras of Kova (in [the tavo]) dosar tamels.\n") == 0);
  CHECK(errors("The bako that dosars the meras tamels; some meras dosar.\n") == 0);
  CHECK(errors("Kova tamels, \"The bakos dosar.\"\n") == 0);
  CHECK(errors("In the mera, the bakos dosar, and Kova tamels.\n") == 0);
  CHECK(errors("The bako dosar.\n") == 1);
  CHECK(errors("The bako which the meras dosars tamels.\n") >= 1);
  CHECK(errors("The bako which the meras dosar tamel.\n") == 1);
  CHECK(errors("The bakos that dosars tamel.\n") == 1);
  CHECK(errors("The bako (in the tavo] dosars.\n") >= 1);
  CHECK(errors("the bako dosars.\n") == 1);
}

TEST_CASE("corpus: documents, headers, names that recur") {
  const std::string text = generate(5, CorpusStream::train, 400000);
  const auto docs = documents(text);
  REQUIRE(docs.size() > 300);
  std::size_t total = 0, shortest = SIZE_MAX, longest = 0, names = 0, recurring = 0, docs_all = 0;
  std::map<std::size_t, std::size_t> name_counts;
  for (const auto& d : docs) {
    total += d.size() + 1;  // + the blank line
    shortest = std::min(shortest, d.size());
    longest = std::max(longest, d.size());
    const Header h = split_header(d);
    ++name_counts[h.names.size()];
    bool all = true;
    for (const auto& n : h.names) {
      CHECK(is_upper(n[0]));
      CHECK(classify(n).kind == Kind::name);
      ++names;
      const bool again = contains_word(h.body, n);
      recurring += again;
      all = all && again;
    }
    docs_all += all;
  }
  const double mean = static_cast<double>(total) / static_cast<double>(docs.size());
  MESSAGE("documents " << docs.size() << ", length mean " << mean << ", range [" << shortest << ", " << longest
                       << "]; names " << names << ", recurring " << recurring << ", documents with all names again "
                       << docs_all);
  CHECK(mean > 900);
  CHECK(mean < 1300);
  CHECK(shortest >= 800);
  CHECK(name_counts.size() == 3);  // 2, 3 and 4 names
  CHECK(name_counts.begin()->first == 2);
  CHECK(name_counts.rbegin()->first == 4);
  CHECK(recurring == names);  // the design guarantees it: fraction 1
  CHECK(docs_all == docs.size());
}

TEST_CASE("corpus: topics, a noun seen in this document is likely again") {
  // For each noun token, was its stem among the earlier nouns of the same document, or among the
  // same number of nouns of the previous document? Without topics the two rates would be equal.
  const std::string text = generate(9, CorpusStream::eval, 400000);
  std::vector<std::vector<std::string>> nouns;
  for (const auto& d : documents(text)) {
    nouns.emplace_back();
    const std::string body = split_header(d).body;
    for (std::size_t i = 0; i < body.size();) {
      std::size_t j = i;
      while (j < body.size() && is_letter(body[j])) ++j;
      if (j > i) {
        const std::string w = body.substr(i, j - i);
        const Word c = classify(w);
        if (c.kind == Kind::noun) nouns.back().push_back(c.number == plural ? w.substr(0, w.size() - 1) : w);
      }
      i = j + 1;
    }
  }
  std::size_t tokens = 0, same = 0, previous = 0;
  for (std::size_t d = 1; d < nouns.size(); ++d) {
    const auto& cur = nouns[d];
    const auto& prev = nouns[d - 1];
    for (std::size_t t = 1; t < cur.size() && t <= prev.size(); ++t) {
      ++tokens;
      same += std::find(cur.begin(), cur.begin() + t, cur[t]) != cur.begin() + t;
      previous += std::find(prev.begin(), prev.begin() + t, cur[t]) != prev.begin() + t;
    }
  }
  const double p_same = static_cast<double>(same) / tokens, p_prev = static_cast<double>(previous) / tokens;
  MESSAGE("noun seen earlier: in this document " << p_same << ", in the previous one " << p_prev);
  CHECK(p_same > p_prev + 0.25);
}

// ---------------------------------------------------------------------------------------------
// n-gram statistics

TEST_CASE("corpus: n-gram perplexity, hand-computed cases") {
  using posenc::lm::corpus_ngram_perplexity;
  double p = 0;
  // Unigram, train 0 0 1: N = 3 tokens, T = 2 types, P(c) = (C(c) + T/64) / (N + T).
  const std::vector<std::int32_t> t1 = {0, 0, 1}, e1 = {0, 1};
  REQUIRE(corpus_ngram_perplexity(t1, e1, 1, p).ok());
  const double p0 = (2 + 2.0 / 64) / 5, p1 = (1 + 2.0 / 64) / 5;
  CHECK(p == doctest::Approx(std::exp(-(std::log(p0) + std::log(p1)) / 2)).epsilon(1e-12));

  // Bigram, train 0 1 0 1 0 2, eval 0 1: the first token has no context (unigram), the second
  // follows "0", seen 3 times with 2 distinct followers, 2 of them "1".
  const std::vector<std::int32_t> t2 = {0, 1, 0, 1, 0, 2};
  REQUIRE(corpus_ngram_perplexity(t2, e1, 2, p).ok());
  const double u0 = (3 + 3.0 / 64) / 9, u1 = (2 + 3.0 / 64) / 9;
  const double b01 = (2 + 2 * u1) / (3 + 2);
  CHECK(p == doctest::Approx(std::exp(-(std::log(u0) + std::log(b01)) / 2)).epsilon(1e-12));

  // An unseen token after an unseen context: P = (0 + 1/64) / (2 + 1), perplexity 192.
  const std::vector<std::int32_t> t3 = {0, 0}, e3 = {1, 1};
  REQUIRE(corpus_ngram_perplexity(t3, e3, 3, p).ok());
  CHECK(p == doctest::Approx(192.0).epsilon(1e-12));

  // A constant text: perplexity just above 1.
  const std::vector<std::int32_t> t4(100, 5), e4(10, 5);
  REQUIRE(corpus_ngram_perplexity(t4, e4, 1, p).ok());
  CHECK(p == doctest::Approx(101.0 / (100 + 1.0 / 64)).epsilon(1e-12));
}

TEST_CASE("corpus: n-gram perplexities fall with the order") {
  const std::vector<std::int32_t> train = encode(generate(1, CorpusStream::train, 1000000));
  const std::vector<std::int32_t> eval = encode(generate(1, CorpusStream::eval, 100000));
  double ppl[6] = {};
  for (int n = 1; n <= 5; ++n) REQUIRE(posenc::lm::corpus_ngram_perplexity(train, eval, n, ppl[n]).ok());
  MESSAGE("n-gram perplexity (train 1M, eval 100k): 1: " << ppl[1] << ", 2: " << ppl[2] << ", 3: " << ppl[3]
                                                         << ", 4: " << ppl[4] << ", 5: " << ppl[5]);
  CHECK(ppl[1] > 1.5 * ppl[2]);
  CHECK(ppl[2] > 1.2 * ppl[3]);
  CHECK(ppl[3] > ppl[4]);
  CHECK(ppl[1] > 3 * ppl[4]);  // spelling: local context explains most of a character
  CHECK(ppl[4] > 2.0);         // ... but not all of it
}

// ---------------------------------------------------------------------------------------------
// Regression pin

TEST_CASE("corpus: the bytes are pinned (native and WebAssembly builds)") {
  // A regression pin, not a correctness oracle. The constants were recorded from the native build
  // AFTER the text was read by eye and passed every invariant above; the WebAssembly builds must give
  // the same bytes. A deliberate change of the generator changes them: re-verify, then re-record.
  CHECK(fnv1a(generate(1, CorpusStream::train, 100000)) == 0x68c7e2a215411820ull);
  CHECK(fnv1a(generate(1, CorpusStream::eval, 100000)) == 0xe81a7f766b096483ull);
  CHECK(fnv1a(generate(0xDEADBEEFCAFEull, CorpusStream::train, 100000)) == 0xeedc2c7fb6d83219ull);
}
