// SPDX-License-Identifier: MIT
// Fuzz target: the attention engine with every position method (none, absolute, rope, xpos, alibi,
// t5, kerple, shaw), plain and streaming, with and without weights or a caller's workspace; and the
// permutation test built on it.
#include "fuzz.hpp"
#include "posenc/analysis.hpp"
#include "posenc/attention.hpp"

using namespace posenc;
using namespace posenc::fuzz;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Input in(data, size);
  // Half of the inputs: a consistent call of small sizes (reaching the kernels); the others: any sizes.
  const bool sane = in.flag();
  auto dim = [&](std::size_t hi) { return sane ? in.small(1, hi) : in.size(); };
  AttentionParams p;
  p.queries = dim(40);
  p.keys = dim(300);
  p.heads = dim(3);
  p.head_dim = dim(12);
  p.query_offset = in.flag() ? -1 : in.integer();
  p.causal = in.flag();
  if (in.flag()) p.scale = in.number();
  p.streaming = in.flag();
  p.method = static_cast<PositionMethod>(in.below(9));
  const std::vector<float> table = in.floats(in.flag() ? wrapped({in.small(0, 80), p.head_dim}) : in.small(0, 16));
  p.table = table;
  const std::vector<double> inv = in.doubles(in.flag() ? p.head_dim / 2 % 64 : in.small(0, 8));
  p.inv_freq = inv;
  p.attention_factor = in.flag() ? 1.0 : in.number();
  p.layout = static_cast<RopeLayout>(in.below(3));
  p.xpos_gamma = in.flag() ? 0.4 : in.number();
  p.xpos_scale_base = in.flag() ? 512.0 : in.number();
  p.t5 = {.bidirectional = in.flag(), .num_buckets = static_cast<std::int32_t>(in.integer()),
          .max_distance = static_cast<std::int32_t>(in.integer())};
  if (in.flag()) p.t5 = {.bidirectional = in.flag(), .num_buckets = 32, .max_distance = 128};
  const std::vector<float> t5_table = in.floats(in.flag() ? wrapped({std::size_t(p.t5.num_buckets), p.heads}) : in.small(0, 64));
  p.t5_table = t5_table;
  p.kerple_variant = static_cast<KerpleVariant>(in.below(3));
  const std::vector<float> r1 = in.floats(in.flag() ? p.heads % 64 : in.small(0, 4));
  const std::vector<float> r2 = in.floats(in.flag() ? p.heads % 64 : in.small(0, 4));
  p.kerple_r1 = r1;
  p.kerple_r2 = r2;
  p.shaw_max_distance = in.flag() ? in.small(0, 12) : in.size();
  const std::size_t shaw_n = wrapped({2 * p.shaw_max_distance + 1, p.head_dim}, in.size());
  const std::vector<float> shaw_k = in.floats(shaw_n), shaw_v = in.floats(shaw_n);
  p.shaw_k = shaw_k;
  p.shaw_v = shaw_v;

  // The work is queries * keys * heads * headDim: only calls that are cheap, or that must be refused.
  const std::size_t nq = wrapped({p.queries, p.heads, p.head_dim}, in.size());
  const std::size_t nk = wrapped({p.keys, p.heads, p.head_dim}, in.size());
  const std::vector<float> q = in.floats(nq), k = in.floats(nk), v = in.floats(sane || in.flag() ? nk : in.size() % 64);
  std::vector<float> out(sane || in.flag() ? nq : in.size() % 64, 7.0f);
  std::vector<float> w(in.flag() ? wrapped({p.heads, p.queries, p.keys}) : 0, 7.0f);
  std::vector<float> ws;
  if (in.flag() && p.queries <= 64 && p.keys <= 4096 && p.head_dim <= 256 && p.heads <= 64 && p.shaw_max_distance <= 64) {
    const std::size_t need = attention_workspace_floats(p);  // sometimes one float short
    if (need > 0) ws.resize(need - 1 + in.small(0, 2));
  }
  const Status s = attention(p, q, k, v, out, w, ws);
  check_result(s, out, w);
  if (!s.ok()) {
    const bool zeroed = std::string_view(s.message).find("overflow") != std::string_view::npos ||
                        std::string_view(s.message).find("finite") != std::string_view::npos;
    if (!zeroed) POSENC_FUZZ_CHECK(untouched(out, 7.0f) && untouched(w, 7.0f));
  } else {
    for (float x : w) POSENC_FUZZ_CHECK(x >= 0.0f && x <= 1.0f);
  }

  // The permutation test (queries == keys, offset 0).
  if (s.ok() && p.queries == p.keys && p.query_offset <= 0 && in.flag()) {
    std::vector<std::int32_t> perm(p.keys);
    check_status(random_permutation(in.take<std::uint64_t>(), perm));
    std::vector<float> a(nq), b(nq);
    double err = -1;
    const Status ps = permutation_test(p, q, k, v, perm, a, b, err);
    check_result(ps, a, b);
    if (ps.ok()) POSENC_FUZZ_CHECK(std::isfinite(err) && err >= 0);
  }
  return 0;
}
