// SPDX-License-Identifier: MIT
// Embind: the analyses of the demo site (src/posenc/analysis.hpp).
//
// The scalar settings of the relative curves arrive as one Float64Array (their order is RelativeSlot
// below, mirrored in web/package/lib/analysis.js); each array arrives as an address and a count.
#include <emscripten/bind.h>

#include "common.hpp"
#include "posenc/analysis.hpp"

namespace {

using namespace posenc;
using namespace posenc::bind;

enum RelativeSlot : std::size_t {
  method,
  heads,
  layout,
  attention_factor,
  t5_bidirectional,
  t5_num_buckets,
  t5_max_distance,
  kerple_variant,
  slot_count
};

int similarity_js(std::uintptr_t table, std::uint32_t n, std::uint32_t rows, std::uint32_t dim, std::int32_t metric,
                  std::uintptr_t out) {
  return report(similarity(buffer<const float>(table, n), rows, dim, static_cast<SimilarityMetric>(metric),
                           buffer<float>(out, rows * rows)));
}

// Settings and arrays -> RelativeScoreParams; false (and a recorded error) when a setting is malformed.
struct RelativeArrays {
  std::uintptr_t inv_freq;
  std::uint32_t n_inv;
  std::uintptr_t q, k;
  std::uint32_t n_qk;
  std::uintptr_t t5_table;
  std::uint32_t n_t5;
  std::uintptr_t r1, r2;
  std::uint32_t n_r;
};

int relative_params(std::uintptr_t settings, std::uint32_t n_settings, const RelativeArrays& a,
                    RelativeScoreParams& p) {
  if (n_settings != slot_count) return report(Status::range("settings", "wrong number of settings"));
  const double* s = reinterpret_cast<const double*>(settings);
  if (!whole(s[method], 0, 3)) return report(Status::type("method", "must be 'rope', 'alibi', 't5' or 'kerple'"));
  if (!whole(s[heads], 1, double(max_heads))) return report(Status::range("heads", "must be an integer in [1, 65536]"));
  if (!whole(s[layout], 0, 1)) return report(Status::type("layout", "must be 'half' or 'interleaved'"));
  if (!whole(s[t5_num_buckets], 0, 1 << 30) || !whole(s[t5_max_distance], 0, 2147483647.0))
    return report(Status::range("numBuckets", "numBuckets and maxDistance must be integers"));
  if (!whole(s[kerple_variant], 0, 1)) return report(Status::type("variant", "must be 'log' or 'power'"));
  p = RelativeScoreParams{
      .method = static_cast<RelativeMethod>(s[method]),
      .inv_freq = buffer<const double>(a.inv_freq, a.n_inv),
      .attention_factor = s[attention_factor],
      .layout = static_cast<RopeLayout>(s[layout]),
      .q = buffer<const float>(a.q, a.n_qk),
      .k = buffer<const float>(a.k, a.n_qk),
      .heads = static_cast<std::size_t>(s[heads]),
      .t5 = {.bidirectional = s[t5_bidirectional] != 0,
             .num_buckets = static_cast<std::int32_t>(s[t5_num_buckets]),
             .max_distance = static_cast<std::int32_t>(s[t5_max_distance])},
      .t5_table = buffer<const float>(a.t5_table, a.n_t5),
      .kerple_variant = static_cast<KerpleVariant>(s[kerple_variant]),
      .kerple_r1 = buffer<const float>(a.r1, a.n_r),
      .kerple_r2 = buffer<const float>(a.r2, a.n_r),
  };
  return 0;
}

int relative_scores_js(std::uintptr_t settings, std::uint32_t n_settings, std::uintptr_t distances, std::uint32_t n_d,
                       std::uintptr_t inv_freq, std::uint32_t n_inv, std::uintptr_t q, std::uintptr_t k,
                       std::uint32_t n_qk, std::uintptr_t t5_table, std::uint32_t n_t5, std::uintptr_t r1,
                       std::uintptr_t r2, std::uint32_t n_r, std::uintptr_t out, std::uint32_t n_out) {
  RelativeScoreParams p;
  if (int e = relative_params(settings, n_settings, {inv_freq, n_inv, q, k, n_qk, t5_table, n_t5, r1, r2, n_r}, p))
    return e;
  return report(relative_scores(p, buffer<const std::int32_t>(distances, n_d), buffer<float>(out, n_out)));
}

// result: 2 doubles, the deviation and the bound.
int rope_check_js(std::uintptr_t settings, std::uint32_t n_settings, std::uintptr_t distances, std::uint32_t n_d,
                  std::uintptr_t inv_freq, std::uint32_t n_inv, std::uintptr_t q, std::uintptr_t k, std::uint32_t n_qk,
                  double max_pos, std::uint32_t samples, std::uintptr_t result) {
  RelativeScoreParams p;
  if (int e = relative_params(settings, n_settings, {inv_freq, n_inv, q, k, n_qk, 0, 0, 0, 0, 0}, p)) return e;
  std::int64_t last = 0;
  if (!to_position(max_pos, last)) return report(Status::range("maxPosition", "must be an integer in [0, 2^24]"));
  RelativeCheck c;
  if (int e = report(rope_relative_check(p, buffer<const std::int32_t>(distances, n_d), last, samples, c))) return e;
  double* r = reinterpret_cast<double*>(result);
  r[0] = c.deviation;
  r[1] = c.bound;
  return 0;
}

int random_permutation_js(double seed, std::uintptr_t out, std::uint32_t n) {
  if (!is_seed(seed)) return report(Status::range("seed", "must be an integer in [0, 2^53)"));
  return report(random_permutation(static_cast<std::uint64_t>(seed), buffer<std::int32_t>(out, n)));
}

int permute_rows_js(std::uintptr_t x, std::uint32_t n, std::uint32_t row_size, std::uintptr_t perm,
                    std::uint32_t n_perm, std::uintptr_t out) {
  return report(permute_rows(buffer<const float>(x, n), row_size, buffer<const std::int32_t>(perm, n_perm),
                             buffer<float>(out, n)));
}

// result: 1 double.
int equivariance_error_js(std::uintptr_t out, std::uintptr_t permuted_out, std::uint32_t n, std::uint32_t row_size,
                          std::uintptr_t perm, std::uint32_t n_perm, std::uintptr_t result) {
  return report(equivariance_error(buffer<const float>(out, n), buffer<const float>(permuted_out, n), row_size,
                                   buffer<const std::int32_t>(perm, n_perm), *reinterpret_cast<double*>(result)));
}

}  // namespace

EMSCRIPTEN_BINDINGS(posenc_analysis) {
  emscripten::function("analysisSimilarity", &similarity_js);
  emscripten::function("analysisRelativeScores", &relative_scores_js);
  emscripten::function("analysisRopeCheck", &rope_check_js);
  emscripten::function("analysisRandomPermutation", &random_permutation_js);
  emscripten::function("analysisPermuteRows", &permute_rows_js);
  emscripten::function("analysisEquivarianceError", &equivariance_error_js);
}
