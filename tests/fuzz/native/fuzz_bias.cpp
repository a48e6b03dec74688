// SPDX-License-Identifier: MIT
// Fuzz target: the relative-position pieces and tables: T5 buckets and bias, Shaw attention and
// indices, the learned table (init, lookup), ALiBi slopes and bias, KERPLE bias, NoPE's mask, the
// sinusoidal table. One selector byte picks the function.
#include "fuzz.hpp"
#include "posenc/alibi.hpp"
#include "posenc/kerple.hpp"
#include "posenc/learned.hpp"
#include "posenc/nope.hpp"
#include "posenc/shaw.hpp"
#include "posenc/sinusoidal.hpp"
#include "posenc/t5.hpp"

using namespace posenc;
using namespace posenc::fuzz;

namespace {

// A bias may hold -inf (masked keys), never NaN or +inf.
bool bias_ok(const std::vector<float>& b) {
  for (float x : b)
    if (std::isnan(x) || x == std::numeric_limits<float>::infinity()) return false;
  return true;
}

AttentionShape shape(Input& in) {
  AttentionShape s{.heads = in.size(), .queries = in.size(), .keys = in.size()};
  if (in.flag()) s.query_offset = in.integer();
  return s;
}

// out sized by the wrapped heads * queries * keys; a failed call leaves it untouched, a successful one
// holds a bias.
template <class F>
void bias_call(Input& in, const AttentionShape& s, F f) {
  std::vector<float> out(wrapped({s.heads, s.queries, s.keys}, in.size()), 7.0f);
  const Status st = f(std::span<float>(out));
  check_status(st);
  POSENC_FUZZ_CHECK(st.ok() ? bias_ok(out) : untouched(out, 7.0f));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Input in(data, size);
  switch (in.below(9)) {
    case 0: {  // T5 buckets
      const T5BucketParams b{.bidirectional = in.flag(), .num_buckets = std::int32_t(in.integer()),
                             .max_distance = std::int32_t(in.integer())};
      const std::vector<std::int32_t> rel = in.ints(in.small(0, 64), -(1 << 24), 1 << 24);
      std::vector<std::int32_t> out(in.flag() ? rel.size() : in.small(0, 64), -7);
      const Status s = t5_buckets(rel, b, out);
      check_status(s);
      if (s.ok())
        for (std::int32_t x : out) POSENC_FUZZ_CHECK(x >= 0 && x < b.num_buckets);
      break;
    }
    case 1: {  // T5 bias
      const AttentionShape s = shape(in);
      const T5BucketParams b{.bidirectional = in.flag(), .num_buckets = in.flag() ? 32 : std::int32_t(in.integer()),
                             .max_distance = in.flag() ? 128 : std::int32_t(in.integer())};
      const std::vector<float> table = in.floats(in.flag() ? wrapped({std::size_t(b.num_buckets), s.heads}) : in.small(0, 64));
      bias_call(in, s, [&](std::span<float> out) { return t5_bias({.shape = s, .buckets = b}, table, out); });
      break;
    }
    case 2: {  // Shaw attention
      ShawParams p{.queries = in.size(), .keys = in.size(), .dim = in.size(), .max_distance = in.size(),
                   .query_offset = in.integer(), .causal = in.flag()};
      if (in.flag()) p.max_distance %= 16;
      const std::size_t nq = wrapped({p.queries, p.dim}, in.size()), nk = wrapped({p.keys, p.dim}, in.size());
      const std::size_t nt = wrapped({2 * p.max_distance + 1, p.dim}, in.size()), nqk = wrapped({p.queries, p.keys}, in.size());
      const std::vector<float> q = in.floats(nq), k = in.floats(nk), v = in.floats(nk), tk = in.floats(nt), tv = in.floats(nt);
      std::vector<float> logits(nqk, 7.0f), weights(nqk, 7.0f), output(nq, 7.0f);
      const Status s = shaw_attention(p, {q, k, v, tk, tv}, {logits, weights, output});
      check_status(s);
      if (s.ok()) {
        POSENC_FUZZ_CHECK(bias_ok(logits) && all_finite(weights) && all_finite(output));
      } else {
        POSENC_FUZZ_CHECK(untouched(logits, 7.0f) && untouched(weights, 7.0f) && untouched(output, 7.0f));
      }
      std::vector<std::int32_t> idx(nqk, -7);
      const Status is = shaw_indices(p, idx);
      check_status(is);
      if (is.ok())
        for (std::int32_t x : idx) POSENC_FUZZ_CHECK(x >= 0 && std::size_t(x) <= 2 * p.max_distance);
      break;
    }
    case 3: {  // learned: init and lookup
      const LearnedParams p{.max_positions = in.size(), .dim = in.size()};
      std::vector<float> table(wrapped({p.max_positions, p.dim}, in.size()), 7.0f);
      const Status s = learned_init(p, {.seed = in.take<std::uint64_t>(), .std = in.flag() ? 0.02 : in.number()}, table);
      check_result(s, table);
      if (!s.ok()) POSENC_FUZZ_CHECK(untouched(table, 7.0f));
      if (in.flag()) table = in.floats(table.size());
      const std::vector<std::int32_t> pos = in.ints(in.small(0, 40), -2, 80);
      std::vector<float> out(in.flag() ? wrapped({pos.size(), p.dim}, in.size()) : in.size() % 512, 7.0f);
      const Status ls = learned_lookup(p, table, pos, out);
      check_result(ls, out);
      if (!ls.ok()) POSENC_FUZZ_CHECK(untouched(out, 7.0f));
      (void)learned_first_missing_row(p, pos);
      if (in.flag()) {
        const double x = in.number();
        if (std::isfinite(x) && x > 0) POSENC_FUZZ_CHECK(std::isfinite(portable_log(x)));
      }
      break;
    }
    case 4: {  // ALiBi slopes and bias
      std::vector<double> slopes(in.size() % (max_buffer + 1));
      check_result(alibi_slopes(std::span<double>(slopes)), slopes);
      const AttentionShape s = shape(in);
      const AlibiBiasParams p{.shape = s, .causal = in.flag(), .form = static_cast<AlibiForm>(in.below(3))};
      bias_call(in, s, [&](std::span<float> out) { return alibi_bias(p, out); });
      break;
    }
    case 5: {  // KERPLE bias
      const AttentionShape s = shape(in);
      const KerpleBiasParams p{.shape = s, .causal = in.flag(), .variant = static_cast<KerpleVariant>(in.below(3))};
      const std::vector<float> r1 = in.floats(in.flag() ? s.heads % 512 : in.small(0, 4));
      const std::vector<float> r2 = in.floats(in.flag() ? s.heads % 512 : in.small(0, 4));
      bias_call(in, s, [&](std::span<float> out) { return kerple_bias(p, r1, r2, out); });
      break;
    }
    case 6: {  // NoPE: the causal mask alone
      const AttentionShape s = shape(in);
      const NopeParams p{.shape = s, .causal = in.flag()};
      bias_call(in, s, [&](std::span<float> out) { return nope_bias(p, out); });
      break;
    }
    case 7: {  // the sinusoidal table
      const SinusoidalParams p{.length = in.size(), .dim = in.size(), .base = in.flag() ? 10000.0 : in.number(),
                               .layout = static_cast<SinusoidalLayout>(in.below(4))};
      std::vector<float> out(wrapped({p.length, p.dim}, in.size()), 7.0f);
      const Status s = sinusoidal_table(p, out);
      check_result(s, out);
      if (!s.ok()) POSENC_FUZZ_CHECK(untouched(out, 7.0f));
      break;
    }
    default: {  // the shape check itself
      const AttentionShape s = shape(in);
      check_status(attention_shape_check(s, wrapped({s.heads, s.queries, s.keys}, in.size())));
      break;
    }
  }
  return 0;
}
