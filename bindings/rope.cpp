// SPDX-License-Identifier: MIT
// Embind: RoPE, its scalings and xPos (src/posenc/rope.hpp).
#include <emscripten/bind.h>

#include <cstdint>

#include "common.hpp"
#include "posenc/rope.hpp"

namespace {

using namespace posenc;
using namespace posenc::bind;

bool to_count(double x, std::int64_t& out) {
  if (!std::isfinite(x) || x != std::floor(x) || x < 0 || x > 9.0e15) return false;
  out = static_cast<std::int64_t>(x);
  return true;
}

// Outputs: inv (h doubles) and af (1 double). Factors: short/long, n_factors doubles each (may be 0).
int rope_frequencies_js(std::uintptr_t inv, std::uint32_t h, std::uintptr_t af, std::uint32_t head_dim, double theta,
                        double partial_rotary_factor, double max_position_embeddings, std::int32_t rope_type,
                        double factor, double attention_factor, double beta_fast, double beta_slow, double mscale,
                        double mscale_all_dim, bool truncate, double low_freq_factor, double high_freq_factor,
                        double original_max_position_embeddings, std::uintptr_t short_factor,
                        std::uintptr_t long_factor, std::uint32_t n_factors, double seq_len) {
  RopeConfig c{.head_dim = head_dim,
               .rope_theta = theta,
               .partial_rotary_factor = partial_rotary_factor,
               .rope_type = static_cast<RopeType>(rope_type),
               .factor = factor,
               .attention_factor = attention_factor,
               .beta_fast = beta_fast,
               .beta_slow = beta_slow,
               .mscale = mscale,
               .mscale_all_dim = mscale_all_dim,
               .truncate = truncate,
               .low_freq_factor = low_freq_factor,
               .high_freq_factor = high_freq_factor,
               .short_factor = buffer<const double>(short_factor, n_factors),
               .long_factor = buffer<const double>(long_factor, n_factors)};
  std::int64_t seq = 0;
  if (!to_count(max_position_embeddings, c.max_position_embeddings))
    return report(Status::range("max_position_embeddings", "must be an integer >= 0"));
  if (!to_count(original_max_position_embeddings, c.original_max_position_embeddings))
    return report(Status::range("original_max_position_embeddings", "must be an integer >= 0"));
  if (!to_count(seq_len, seq)) return report(Status::range("seqLen", "must be an integer >= 0"));
  return report(rope_frequencies(c, seq, buffer<double>(inv, h), *reinterpret_cast<double*>(af)));
}

int rope_apply_js(std::uintptr_t x, std::uint32_t n, std::uint32_t seq, std::uint32_t heads, std::uint32_t head_dim,
                  std::int32_t layout, bool inverse, double offset, std::uintptr_t inv, std::uint32_t h, double af,
                  std::uintptr_t positions, std::uint32_t n_positions, bool xpos, bool xpos_key, double gamma,
                  double scale_base, double center, bool check_finite) {
  RopeApplyParams p{.seq = seq,
                    .heads = heads,
                    .head_dim = head_dim,
                    .layout = static_cast<RopeLayout>(layout),
                    .inverse = inverse,
                    .xpos = xpos,
                    .xpos_key = xpos_key,
                    .xpos_gamma = gamma,
                    .xpos_scale_base = scale_base,
                    .xpos_center = center};
  if (!to_position(offset, p.offset)) return report(Status::range("offset", "must be an integer position in [0, 2^24]"));
  // check_finite: x is scanned as it is rotated; the index of a NaN/infinity goes to errorIndex().
  constexpr std::size_t none = SIZE_MAX;
  std::size_t bad = none;
  if (check_finite) p.first_non_finite = &bad;
  const Status s = rope_apply(buffer<float>(x, n), p, buffer<const double>(inv, h), af,
                              buffer<const std::int32_t>(positions, n_positions));
  return report(s, bad == none ? -1.0 : static_cast<double>(bad));
}

int rope_cache_js(std::uintptr_t inv, std::uint32_t h, double af, std::uintptr_t positions, std::uint32_t n_positions,
                  double offset, std::uint32_t count, std::uintptr_t cos, std::uintptr_t sin) {
  std::int64_t first = 0;
  if (!to_position(offset, first)) return report(Status::range("offset", "must be an integer position in [0, 2^24]"));
  return report(rope_cache(buffer<const double>(inv, h), af, buffer<const std::int32_t>(positions, n_positions), first,
                           count, buffer<float>(cos, count * h), buffer<float>(sin, count * h)));
}

int rope_wavelengths_js(std::uintptr_t inv, std::uint32_t h, std::uintptr_t out) {
  rope_wavelengths(buffer<const double>(inv, h), buffer<double>(out, h));
  return 0;
}

}  // namespace

EMSCRIPTEN_BINDINGS(posenc_rope) {
  emscripten::function("ropeFrequencies", &rope_frequencies_js);
  emscripten::function("ropeApply", &rope_apply_js);
  emscripten::function("ropeCache", &rope_cache_js);
  emscripten::function("ropeWavelengths", &rope_wavelengths_js);
}
