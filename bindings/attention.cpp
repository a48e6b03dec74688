// SPDX-License-Identifier: MIT
// Embind: the attention engine (src/posenc/attention.hpp).
//
// The scalar settings arrive as one Float64Array (their order is AttentionSlot below, mirrored in
// web/package/lib/attention.js); each array argument arrives as an address and a count.
#include <emscripten/bind.h>

#include "common.hpp"
#include "posenc/attention.hpp"

namespace {

using namespace posenc;
using namespace posenc::bind;

enum AttentionSlot : std::size_t {
  queries, keys, heads, head_dim, query_offset, causal, scale, streaming, method,
  layout, attention_factor, xpos_gamma, xpos_scale_base,
  t5_bidirectional, t5_num_buckets, t5_max_distance,
  kerple_variant, shaw_max_distance,
  slot_count
};

int attention_js(std::uintptr_t settings, std::uint32_t n_settings, std::uintptr_t q, std::uint32_t nq, std::uintptr_t k,
                 std::uint32_t nk, std::uintptr_t v, std::uint32_t nv, std::uintptr_t out, std::uint32_t nout,
                 std::uintptr_t weights, std::uint32_t nweights, std::uintptr_t table, std::uint32_t ntable,
                 std::uintptr_t inv_freq, std::uint32_t ninv, std::uintptr_t t5_table, std::uint32_t nt5,
                 std::uintptr_t r1, std::uintptr_t r2, std::uint32_t nr, std::uintptr_t shaw_k, std::uintptr_t shaw_v,
                 std::uint32_t nshaw) {
  if (n_settings != slot_count) return report(Status::range("settings", "wrong number of settings"));
  const double* s = reinterpret_cast<const double*>(settings);
  for (std::size_t i : {queries, keys, heads, head_dim})
    if (!whole(s[i], 1, 4294967295.0)) return report(Status::range("shape", "sizes must be integers >= 1"));
  if (!whole(s[query_offset], -1, double(max_position))) return report(Status::range("queryOffset", "must be an integer in [0, 2^24]"));
  if (!whole(s[method], 0, 7)) return report(Status::type("position", "unknown position method"));
  if (!whole(s[layout], 0, 1)) return report(Status::type("layout", "must be 'half' or 'interleaved'"));
  if (!whole(s[t5_num_buckets], 0, 1 << 30) || !whole(s[t5_max_distance], 0, 1 << 30))
    return report(Status::range("numBuckets", "numBuckets and maxDistance must be integers"));
  if (!whole(s[kerple_variant], 0, 1)) return report(Status::type("variant", "must be 'log' or 'power'"));
  if (!whole(s[shaw_max_distance], 0, 1 << 30)) return report(Status::range("maxDistance", "must be an integer"));

  AttentionParams p{
      .queries = static_cast<std::size_t>(s[queries]),
      .keys = static_cast<std::size_t>(s[keys]),
      .heads = static_cast<std::size_t>(s[heads]),
      .head_dim = static_cast<std::size_t>(s[head_dim]),
      .query_offset = static_cast<std::int64_t>(s[query_offset]),
      .causal = s[causal] != 0,
      .scale = s[scale],
      .streaming = s[streaming] != 0,
      .method = static_cast<PositionMethod>(s[method]),
      .table = buffer<const float>(table, ntable),
      .inv_freq = buffer<const double>(inv_freq, ninv),
      .attention_factor = s[attention_factor],
      .layout = static_cast<RopeLayout>(s[layout]),
      .xpos_gamma = s[xpos_gamma],
      .xpos_scale_base = s[xpos_scale_base],
      .t5 = {.bidirectional = s[t5_bidirectional] != 0,
             .num_buckets = static_cast<std::int32_t>(s[t5_num_buckets]),
             .max_distance = static_cast<std::int32_t>(s[t5_max_distance])},
      .t5_table = buffer<const float>(t5_table, nt5),
      .kerple_variant = static_cast<KerpleVariant>(s[kerple_variant]),
      .kerple_r1 = buffer<const float>(r1, nr),
      .kerple_r2 = buffer<const float>(r2, nr),
      .shaw_k = buffer<const float>(shaw_k, nshaw),
      .shaw_v = buffer<const float>(shaw_v, nshaw),
      .shaw_max_distance = static_cast<std::size_t>(s[shaw_max_distance]),
  };
  return report(attention(p, buffer<const float>(q, nq), buffer<const float>(k, nk), buffer<const float>(v, nv),
                          buffer<float>(out, nout), buffer<float>(weights, nweights)));
}

}  // namespace

EMSCRIPTEN_BINDINGS(posenc_attention) { emscripten::function("attention", &attention_js); }
