// SPDX-License-Identifier: MIT
// posenc: RoPE, its scalings and xPos (see rope.hpp for the formulas and sources).
#include "posenc/rope.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numbers>

#include "posenc/finite.hpp"
#include "posenc/simd.hpp"
#include "posenc/sincos.hpp"

namespace posenc {

namespace {

constexpr double two_pi = 2.0 * std::numbers::pi;
constexpr std::size_t max_head_dim = 8192;
// Rows of cos/sin computed at a time: at most this many floats per table (stack buffers).
constexpr std::size_t cache_block_floats = 4096;
// Largest inverse frequency: position * w (position <= 2^24) stays finite in float64.
constexpr double max_inv_freq = 1e300;

bool is_set(double x) { return !std::isnan(x); }
bool finite_at_least(double x, double lo) { return std::isfinite(x) && x >= lo; }

// theta^(2i/r), as HF forms it: base ** (arange(0, dim, 2) / dim).
double pos_freq(double theta, std::size_t i, std::size_t r) {
  return std::pow(theta, static_cast<double>(2 * i) / static_cast<double>(r));
}

double get_mscale(double scale, double mscale) { return scale <= 1.0 ? 1.0 : 0.1 * mscale * std::log(scale) + 1.0; }

// YaRN: the (fractional) dimension at which a frequency completes `rotations` turns over `context`.
double correction_dim(double rotations, std::size_t r, double theta, double context) {
  return (static_cast<double>(r) * std::log(context / (rotations * two_pi))) / (2.0 * std::log(theta));
}

Status check_factor(const RopeConfig& c) {
  if (!is_set(c.factor)) return Status::range("factor", "is required by this rope_type");
  if (!finite_at_least(c.factor, 1.0)) return Status::range("factor", "must be a finite number >= 1");
  return Status::success();
}

Status frequencies_yarn(const RopeConfig& c, std::span<double> inv, double& af) {
  const std::size_t r = 2 * inv.size();
  const std::int64_t original =
      c.original_max_position_embeddings > 0 ? c.original_max_position_embeddings : c.max_position_embeddings;
  if (original <= 0) {
    return Status::range("original_max_position_embeddings",
                         "yarn needs original_max_position_embeddings or max_position_embeddings");
  }
  double factor = c.factor;
  if (!is_set(factor)) {
    if (c.max_position_embeddings <= 0) return Status::range("factor", "is required (or max_position_embeddings)");
    factor = static_cast<double>(c.max_position_embeddings) / static_cast<double>(original);
  }
  if (!finite_at_least(factor, 1.0)) return Status::range("factor", "must be a finite number >= 1");
  if (!(std::isfinite(c.beta_fast) && c.beta_fast > 0)) return Status::range("beta_fast", "must be a finite number > 0");
  if (!(std::isfinite(c.beta_slow) && c.beta_slow > 0)) return Status::range("beta_slow", "must be a finite number > 0");
  if (c.beta_fast < c.beta_slow) return Status::range("beta_fast", "must be >= beta_slow");
  if (!(std::isfinite(c.mscale) && c.mscale >= 0)) return Status::range("mscale", "must be a finite number >= 0");
  if (!(std::isfinite(c.mscale_all_dim) && c.mscale_all_dim >= 0))
    return Status::range("mscale_all_dim", "must be a finite number >= 0");

  if (is_set(c.attention_factor)) {
    af = c.attention_factor;
  } else if (c.mscale != 0.0 && c.mscale_all_dim != 0.0) {
    af = get_mscale(factor, c.mscale) / get_mscale(factor, c.mscale_all_dim);
  } else {
    af = get_mscale(factor, 1.0);
  }
  const double context = static_cast<double>(original);
  double low = correction_dim(c.beta_fast, r, c.rope_theta, context);
  double high = correction_dim(c.beta_slow, r, c.rope_theta, context);
  if (c.truncate) {
    low = std::floor(low);
    high = std::ceil(high);
  }
  low = std::max(low, 0.0);
  high = std::min(high, static_cast<double>(r - 1));
  if (low == high) high += 0.001;  // as HF: avoid a zero-width ramp
  for (std::size_t i = 0; i < inv.size(); ++i) {
    const double ramp = std::clamp((static_cast<double>(i) - low) / (high - low), 0.0, 1.0);
    const double extrapolation = 1.0 - ramp;  // weight of the unscaled frequency
    const double pf = pos_freq(c.rope_theta, i, r);
    inv[i] = (1.0 / (factor * pf)) * (1.0 - extrapolation) + (1.0 / pf) * extrapolation;
  }
  return Status::success();
}

Status frequencies_llama3(const RopeConfig& c, std::span<double> inv) {
  if (Status s = check_factor(c); !s.ok()) return s;
  if (!(std::isfinite(c.low_freq_factor) && c.low_freq_factor > 0))
    return Status::range("low_freq_factor", "must be a finite number > 0");
  if (!(std::isfinite(c.high_freq_factor) && c.high_freq_factor > c.low_freq_factor))
    return Status::range("high_freq_factor", "must be a finite number > low_freq_factor");
  if (c.original_max_position_embeddings <= 0)
    return Status::range("original_max_position_embeddings", "is required by llama3 (an integer >= 1)");
  const std::size_t r = 2 * inv.size();
  const double old_context = static_cast<double>(c.original_max_position_embeddings);
  const double low_freq_wavelen = old_context / c.low_freq_factor;
  const double high_freq_wavelen = old_context / c.high_freq_factor;
  for (std::size_t i = 0; i < inv.size(); ++i) {
    const double w = 1.0 / pos_freq(c.rope_theta, i, r);
    const double wavelen = two_pi / w;
    if (wavelen > low_freq_wavelen) {
      inv[i] = w / c.factor;  // long wavelengths: interpolate fully
    } else if (wavelen < high_freq_wavelen) {
      inv[i] = w;  // short wavelengths: keep
    } else {
      const double smooth = (old_context / wavelen - c.low_freq_factor) / (c.high_freq_factor - c.low_freq_factor);
      inv[i] = (1.0 - smooth) * w / c.factor + smooth * w;
    }
  }
  return Status::success();
}

Status frequencies_longrope(const RopeConfig& c, std::int64_t seq_len, std::span<double> inv, double& af) {
  const std::int64_t original =
      c.original_max_position_embeddings > 0 ? c.original_max_position_embeddings : c.max_position_embeddings;
  if (original <= 0) {
    return Status::range("original_max_position_embeddings",
                         "longrope needs original_max_position_embeddings or max_position_embeddings");
  }
  for (auto [name, f] : {std::pair{"short_factor", c.short_factor}, std::pair{"long_factor", c.long_factor}}) {
    if (f.size() != inv.size()) return Status::range(name, "must have rotary_dim / 2 entries");
    for (double x : f)
      if (!(std::isfinite(x) && x > 0)) return Status::range(name, "entries must be finite numbers > 0");
  }
  double factor = c.factor;
  if (!is_set(factor)) {
    factor = c.max_position_embeddings > 0
                 ? static_cast<double>(c.max_position_embeddings) / static_cast<double>(original)
                 : 1.0;
  }
  if (!(std::isfinite(factor) && factor > 0)) return Status::range("factor", "must be a finite number > 0");
  if (is_set(c.attention_factor)) {
    af = c.attention_factor;
  } else {
    af = factor <= 1.0 ? 1.0 : std::sqrt(1.0 + std::log(factor) / std::log(static_cast<double>(original)));
  }
  const std::span<const double> ext = seq_len > original ? c.long_factor : c.short_factor;
  const std::size_t r = 2 * inv.size();
  for (std::size_t i = 0; i < inv.size(); ++i) inv[i] = 1.0 / (ext[i] * pos_freq(c.rope_theta, i, r));
  return Status::success();
}

}  // namespace

std::size_t rope_rotary_dim(const RopeConfig& c) {
  const double r = static_cast<double>(c.head_dim) * c.partial_rotary_factor;
  // Converted only below 2^32 (any larger product would not fit size_t in WebAssembly; a float
  // beyond the integer type is undefined behaviour): such configs are refused, as 0.
  return std::isfinite(r) && r >= 0 && r < 4294967296.0 ? static_cast<std::size_t>(r) : 0;
}

namespace {

Status frequencies_unchecked(const RopeConfig& c, std::int64_t seq_len, std::span<double> inv, double& af) {
  if (c.head_dim < 2 || c.head_dim > max_head_dim) return Status::range("head_dim", "must be an integer in [2, 8192]");
  if (!(std::isfinite(c.rope_theta) && c.rope_theta > 1.0)) return Status::range("rope_theta", "must be a finite number > 1");
  if (!(std::isfinite(c.partial_rotary_factor) && c.partial_rotary_factor > 0 && c.partial_rotary_factor <= 1))
    return Status::range("partial_rotary_factor", "must be in (0, 1]");
  const std::size_t r = rope_rotary_dim(c);
  if (r < 2 || r % 2 != 0)
    return Status::range("partial_rotary_factor", "int(head_dim * partial_rotary_factor) must be even and >= 2");
  if (inv.size() != r / 2) return Status::range("invFreq", "must hold rotary_dim / 2 entries");
  if (c.max_position_embeddings < 0) return Status::range("max_position_embeddings", "must be >= 0");
  if (c.original_max_position_embeddings < 0) return Status::range("original_max_position_embeddings", "must be >= 0");
  if (seq_len < 0 || seq_len > max_position + 1) return Status::range("seqLen", "must be an integer in [0, 2^24 + 1]");
  const bool reads_attention_factor = c.rope_type == RopeType::yarn || c.rope_type == RopeType::longrope;
  if (is_set(c.attention_factor)) {
    if (!reads_attention_factor) return Status::range("attention_factor", "is used by yarn and longrope only");
    if (!(std::isfinite(c.attention_factor) && c.attention_factor > 0))
      return Status::range("attention_factor", "must be a finite number > 0");
  }

  af = 1.0;
  switch (c.rope_type) {
    case RopeType::default_:
      for (std::size_t i = 0; i < inv.size(); ++i) inv[i] = 1.0 / pos_freq(c.rope_theta, i, r);
      return Status::success();
    case RopeType::linear: {
      if (Status s = check_factor(c); !s.ok()) return s;
      for (std::size_t i = 0; i < inv.size(); ++i) inv[i] = 1.0 / pos_freq(c.rope_theta, i, r) / c.factor;
      return Status::success();
    }
    case RopeType::ntk:
    case RopeType::dynamic: {
      if (Status s = check_factor(c); !s.ok()) return s;
      if (r < 4) return Status::range("head_dim", "ntk and dynamic need rotary_dim >= 4 (exponent r/(r-2))");
      double ratio = c.factor;
      if (c.rope_type == RopeType::dynamic) {
        if (c.max_position_embeddings <= 0)
          return Status::range("max_position_embeddings", "is required by dynamic (an integer >= 1)");
        const double m = static_cast<double>(c.max_position_embeddings);
        const double len = std::max(static_cast<double>(seq_len), m);
        ratio = c.factor * len / m - (c.factor - 1.0);
      }
      const double theta = c.rope_theta * std::pow(ratio, static_cast<double>(r) / static_cast<double>(r - 2));
      for (std::size_t i = 0; i < inv.size(); ++i) inv[i] = 1.0 / pos_freq(theta, i, r);
      return Status::success();
    }
    case RopeType::yarn:
      return frequencies_yarn(c, inv, af);
    case RopeType::llama3:
      return frequencies_llama3(c, inv);
    case RopeType::longrope:
      return frequencies_longrope(c, seq_len, inv, af);
  }
  return Status::type("rope_type", "must be one of default, linear, ntk, dynamic, yarn, longrope, llama3");
}

}  // namespace

Status rope_frequencies(const RopeConfig& c, std::int64_t seq_len, std::span<double> inv, double& af) {
  if (Status s = frequencies_unchecked(c, seq_len, inv, af); !s.ok()) return s;
  // Extreme but finite settings (a longrope factor of 1e-320, an original length of 1 under the
  // default longrope attention factor, ...) can still give values rope_apply would refuse: named here.
  const bool longrope = c.rope_type == RopeType::longrope;
  for (double w : inv)
    if (!(std::isfinite(w) && w >= 0 && w <= max_inv_freq))
      return Status::range(longrope ? "short_factor" : "factor",
                           "gives an inverse frequency that is not finite or above 1e300 (short_factor / long_factor "
                           "entries too small?)");
  if (!(std::isfinite(af) && af > 0 && af <= std::numeric_limits<float>::max()))
    return Status::range(longrope ? "original_max_position_embeddings" : "factor",
                         "gives an attention factor that is not a finite float32 > 0");
  return Status::success();
}

void rope_wavelengths(std::span<const double> inv_freq, std::span<double> out) {
  for (std::size_t i = 0; i < inv_freq.size() && i < out.size(); ++i) out[i] = two_pi / inv_freq[i];
}

// ---------------------------------------------------------------------------------------------
// The rotation kernel.

void rope_rotate_reference(float* x, const RopeRotateArgs& a) {
  const std::size_t h = a.rotary_dim / 2;
  const bool half = a.layout == RopeLayout::half;
  const std::size_t stride = half ? 1 : 2;   // distance between the first members of two pairs
  const std::size_t partner = half ? h : 1;  // distance from a pair's first member to its second
  for (std::size_t t = 0; t < a.seq; ++t) {
    const float* c = a.cos + t * a.cs_stride;
    const float* s = a.sin + t * a.cs_stride;
    for (std::size_t hd = 0; hd < a.heads; ++hd) {
      float* v = x + (t * a.heads + hd) * a.head_dim;
      for (std::size_t i = 0; i < h; ++i) {
        float* pa = v + i * stride;
        float* pb = pa + partner;
        const float si = a.inverse ? -s[i] : s[i];
        const float xa = *pa, xb = *pb;
        *pa = xa * c[i] - xb * si;
        *pb = xa * si + xb * c[i];
      }
    }
  }
}

namespace {

constexpr std::size_t all_finite_here = SIZE_MAX;      // every value read and written is finite
constexpr std::size_t output_overflow = SIZE_MAX - 1;  // a rotated value is not (inputs finite or unchecked)

// Checked rotation, on finding a NaN/infinity in the pair(s) about to be written at offset i of a
// head v: the index in v of the first non-finite value. Every value before i was checked and its
// pair written; [skip, skip + i) (the half layout's written second halves) is skipped, the rest of
// the head is still as given.
std::size_t first_bad(const float* v, std::size_t head_dim, std::size_t i, std::size_t skip) {
  for (std::size_t j = i; j < head_dim; ++j) {
    if (j == skip) j += i;
    if (j < head_dim && !std::isfinite(v[j])) return j;
  }
  return head_dim;  // not reached: the caller saw one
}

// The rotation of rope_rotate_fast, one pass over x that checks what it reads and what it writes.
// Outputs: each row's are summed on the way (one addition per batch), a sum that stays non-finite
// once it is; only then is the row scanned exactly (it may be a finite sum that overflowed), and a
// value beyond float32 makes the result output_overflow (the rotation goes on). Inputs, with
// Checked: each pair is checked for NaN/infinity just before it is written (the rotation's own
// loads); the first one stops the rotation, leaving its pair and everything after it as given, and
// its index in x is returned. Otherwise all_finite_here.
template <bool Checked>
std::size_t rotate(float* x, const RopeRotateArgs& a) {
  bool finite = true;
  auto check_row = [&](std::size_t t, float sum) {
    if (!std::isfinite(sum)) finite = finite && all_finite({x + t * a.heads * a.head_dim, a.heads * a.head_dim});
  };
#if POSENC_HAVE_SIMD
  using B = simd::batch_f32;
  constexpr std::size_t W = B::size;
  static_assert(W == 4, "the interleaved swap below is written for 4 lanes");
  const std::size_t h = a.rotary_dim / 2;
  const float sign = a.inverse ? -1.0f : 1.0f;
  // x - x is 0 for finite x, NaN for NaN and infinity.
  const auto bad = [](B u, B w) { return xsimd::any(((u - u) + (w - w)) != B(0.0f)); };
  const auto bad1 = [](float u, float w) { return !(std::isfinite(u) && std::isfinite(w)); };
  // The values after the rotary dimensions are not rotated, only checked.
  const auto rest = [&](const float* v) {
    for (std::size_t j = a.rotary_dim; j < a.head_dim; ++j)
      if (!std::isfinite(v[j])) return j;
    return a.head_dim;
  };
  alignas(64) float ce[max_head_dim], se[max_head_dim];  // interleaved: expanded cos, signed sin
  for (std::size_t t = 0; t < a.seq; ++t) {
    const float* c = a.cos + t * a.cs_stride;
    const float* s = a.sin + t * a.cs_stride;
    B acc(0.0f);
    float tail = 0.0f;
    if (a.layout == RopeLayout::half) {
      const std::size_t nvec = h / W * W;
      for (std::size_t hd = 0; hd < a.heads; ++hd) {
        float* v = x + (t * a.heads + hd) * a.head_dim;
        const std::size_t at = (t * a.heads + hd) * a.head_dim;
        const B k(sign);
        for (std::size_t i = 0; i < nvec; i += W) {
          const B xa = B::load_unaligned(v + i), xb = B::load_unaligned(v + h + i);
          if constexpr (Checked)
            if (bad(xa, xb)) return at + first_bad(v, a.head_dim, i, h);
          const B ci = B::load_unaligned(c + i), si = k * B::load_unaligned(s + i);
          const B oa = xa * ci - xb * si, ob = xa * si + xb * ci;
          oa.store_unaligned(v + i);
          ob.store_unaligned(v + h + i);
          acc += oa + ob;
        }
        for (std::size_t i = nvec; i < h; ++i) {
          const float si = sign * s[i], xa = v[i], xb = v[h + i];
          if constexpr (Checked)
            if (bad1(xa, xb)) return at + first_bad(v, a.head_dim, i, h);
          v[i] = xa * c[i] - xb * si;
          v[h + i] = xa * si + xb * c[i];
          tail += v[i] + v[h + i];
        }
        if constexpr (Checked)
          if (const std::size_t j = rest(v); j < a.head_dim) return at + j;
      }
    } else {
      // out[2i] = x[2i] c - x[2i+1] s,  out[2i+1] = x[2i+1] c + x[2i] s:  out = x * ce + swap(x) * se
      for (std::size_t i = 0; i < h; ++i) {
        ce[2 * i] = ce[2 * i + 1] = c[i];
        se[2 * i] = -sign * s[i];
        se[2 * i + 1] = sign * s[i];
      }
      const std::size_t nvec = a.rotary_dim / W * W;
      using swap_pairs = xsimd::batch_constant<xsimd::batch<std::uint32_t>, 1, 0, 3, 2>;
      for (std::size_t hd = 0; hd < a.heads; ++hd) {
        float* v = x + (t * a.heads + hd) * a.head_dim;
        const std::size_t at = (t * a.heads + hd) * a.head_dim;
        for (std::size_t j = 0; j < nvec; j += W) {
          const B xv = B::load_unaligned(v + j);
          if constexpr (Checked)
            if (bad(xv, xv)) return at + first_bad(v, a.head_dim, j, a.head_dim);
          const B sw = xsimd::swizzle(xv, swap_pairs());
          const B o = xv * B::load_aligned(ce + j) + sw * B::load_aligned(se + j);
          o.store_unaligned(v + j);
          acc += o;
        }
        for (std::size_t j = nvec; j < a.rotary_dim; j += 2) {
          const float xa = v[j], xb = v[j + 1];
          if constexpr (Checked)
            if (bad1(xa, xb)) return at + first_bad(v, a.head_dim, j, a.head_dim);
          v[j] = xa * ce[j] + xb * se[j];
          v[j + 1] = xb * ce[j + 1] + xa * se[j + 1];
          tail += v[j] + v[j + 1];
        }
        if constexpr (Checked)
          if (const std::size_t j = rest(v); j < a.head_dim) return at + j;
      }
    }
    check_row(t, simd::reduce_add(acc) + tail);
  }
#else
  // Scalar build: each row is scanned before it is rotated (Checked) and after.
  const std::size_t row = a.heads * a.head_dim;
  for (std::size_t t = 0; t < a.seq; ++t) {
    float* r = x + t * row;
    if constexpr (Checked)
      if (const std::size_t i = first_non_finite(std::span<const float>(r, row)); i != row) return t * row + i;
    RopeRotateArgs one = a;
    one.seq = 1;
    one.cos = a.cos + t * a.cs_stride;
    one.sin = a.sin + t * a.cs_stride;
    rope_rotate_reference(r, one);
    finite = finite && all_finite({r, row});
  }
  (void)check_row;
#endif
  return finite ? all_finite_here : output_overflow;
}

}  // namespace

bool rope_rotate_fast(float* x, const RopeRotateArgs& a) { return rotate<false>(x, a) == all_finite_here; }

// ---------------------------------------------------------------------------------------------
// Cache and apply.

namespace {

Status check_frequencies(std::span<const double> inv_freq, double attention_factor) {
  if (inv_freq.empty() || inv_freq.size() > max_head_dim / 2) return Status::range("frequencies", "must have 1 to 4096 entries");
  for (double w : inv_freq)
    if (!(std::isfinite(w) && w >= 0 && w <= max_inv_freq))
      return Status::range("frequencies", "invFreq entries must be finite, >= 0 and at most 1e300 (angles position * "
                                          "invFreq must stay finite)");
  if (!(std::isfinite(attention_factor) && attention_factor > 0 && attention_factor <= std::numeric_limits<float>::max()))
    return Status::range("frequencies", "attentionFactor must be a number > 0 within float32's range");
  return Status::success();
}

Status check_positions(std::span<const std::int32_t> positions, std::int64_t offset, std::size_t count) {
  if (positions.empty()) {
    // count is compared first: max_position + 1 - count overflows for a count near 2^63 (found by fuzz_rope).
    if (offset < 0 || count > static_cast<std::uint64_t>(max_position) + 1 ||
        offset > max_position + 1 - static_cast<std::int64_t>(count))
      return Status::range("offset", "positions offset .. offset + count - 1 must lie in [0, 2^24]");
    return Status::success();
  }
  if (positions.size() != count) return Status::range("positions", "must have one entry per row");
  for (std::int32_t p : positions)
    if (p < 0 || p > max_position) return Status::range("positions", "entries must be integers in [0, 2^24]");
  return Status::success();
}

// cos/sin (times scale) of rows [t0, t0 + n) into planar buffers with row stride h.
void cache_rows(std::span<const double> w, std::span<const std::int32_t> positions, std::int64_t offset, std::size_t t0,
                std::size_t n, double scale, float* cos, float* sin, std::size_t stride) {
  const SincosOut out{SincosLayout::planar, sin, cos, stride};
  if (positions.empty()) return sincos_rows_fast(w, offset + static_cast<std::int64_t>(t0), n, scale, out);
  bool contiguous = true;
  for (std::size_t t = 1; t < n && contiguous; ++t) contiguous = positions[t0 + t] == positions[t0 + t - 1] + 1;
  if (contiguous) return sincos_rows_fast(w, positions[t0], n, scale, out);
  for (std::size_t t = 0; t < n; ++t) sincos_rows_reference(w, positions[t0 + t], 1, scale, {SincosLayout::planar, sin + t * stride, cos + t * stride, stride});
}

}  // namespace

Status rope_cache(std::span<const double> inv_freq, double attention_factor, std::span<const std::int32_t> positions,
                  std::int64_t offset, std::size_t count, std::span<float> cos, std::span<float> sin) {
  if (Status s = check_frequencies(inv_freq, attention_factor); !s.ok()) return s;
  if (count == 0) return Status::range("length", "must be at least 1");
  if (Status s = check_positions(positions, offset, count); !s.ok()) return s;
  const std::size_t h = inv_freq.size();
  if (count > max_output_floats / 2 / h) return Status::range("length", "the cache would exceed the 256 MiB output limit");
  if (cos.size() != count * h || sin.size() != count * h) return Status::range("out", "must hold count * rotary_dim / 2 floats each");
  cache_rows(inv_freq, positions, offset, 0, count, attention_factor, cos.data(), sin.data(), h);
  return Status::success();
}

Status rope_apply_check(std::size_t x_size, const RopeApplyParams& p, std::span<const double> inv_freq,
                        double attention_factor, std::span<const std::int32_t> positions) {
  if (p.layout != RopeLayout::half && p.layout != RopeLayout::interleaved)
    return Status::type("layout", "must be 'half' or 'interleaved'");
  if (p.seq == 0) return Status::range("shape", "seq must be at least 1");
  if (p.heads == 0) return Status::range("shape", "heads must be at least 1");
  if (p.head_dim < 2 || p.head_dim > max_head_dim) return Status::range("shape", "headDim must be in [2, 8192]");
  if (Status s = check_frequencies(inv_freq, attention_factor); !s.ok()) return s;
  if (2 * inv_freq.size() > p.head_dim)
    return Status::range("frequencies", "rotary dimension (2 * invFreq.length) exceeds headDim");
  if (p.seq > max_output_floats / p.heads / p.head_dim) return Status::range("shape", "x would exceed 256 MiB");
  if (x_size != p.seq * p.heads * p.head_dim) return Status::range("x", "must hold seq * heads * headDim floats");
  if (Status s = check_positions(positions, p.offset, p.seq); !s.ok()) return s;
  if (p.xpos) {
    if (!(std::isfinite(p.xpos_gamma) && p.xpos_gamma > 0)) return Status::range("gamma", "must be a finite number > 0");
    if (!(std::isfinite(p.xpos_scale_base) && p.xpos_scale_base > 0))
      return Status::range("scaleBase", "must be a finite number > 0");
    if (is_set(p.xpos_center) && !std::isfinite(p.xpos_center)) return Status::range("center", "must be finite");
    // The scale zeta_i^(direction * (pos - centre) / scaleBase), zeta_i in [gamma / (1 + gamma), 1), grows
    // on one side of the centre only; there it must stay within float32 (with the attention factor).
    const double c = rope_xpos_center(p, positions);
    double lo = static_cast<double>(p.offset), hi = static_cast<double>(p.offset) + static_cast<double>(p.seq - 1);
    if (!positions.empty()) {
      const auto [mn, mx] = std::minmax_element(positions.begin(), positions.end());
      lo = *mn;
      hi = *mx;
    }
    const bool grows_below = p.xpos_key == p.inverse;  // queries forward: zeta^((pos - c)/sb) grows for pos < c
    const double distance = std::max(0.0, grows_below ? c - lo : hi - c);
    const double growth = distance / p.xpos_scale_base * std::log((1.0 + p.xpos_gamma) / p.xpos_gamma) +
                          std::log(p.inverse ? 1.0 / attention_factor : attention_factor);
    if (!(growth < std::log(static_cast<double>(std::numeric_limits<float>::max()))))
      return Status::range("scaleBase", "is too small for the distance between a position and the xPos centre: "
                                        "zeta^(distance / scaleBase) overflows float32 (keep it below about 70 * scaleBase)");
  }
  return Status::success();
}

double rope_xpos_center(const RopeApplyParams& p, std::span<const std::int32_t> positions) {
  if (is_set(p.xpos_center)) return p.xpos_center;
  // torchscale: ceil(count / 2), count = the largest position + 1 (saturated: no signed overflow for
  // any offset and seq; rope_apply_check limits both to 2^24).
  const std::int64_t room = std::numeric_limits<std::int64_t>::max() - std::max<std::int64_t>(p.offset, 0);
  std::int64_t count = static_cast<std::uint64_t>(room) < p.seq ? std::numeric_limits<std::int64_t>::max()
                                                                 : p.offset + static_cast<std::int64_t>(p.seq);
  if (!positions.empty()) count = std::int64_t{*std::max_element(positions.begin(), positions.end())} + 1;
  return static_cast<double>(count / 2 + count % 2);
}

void rope_rows(const RopeApplyParams& p, std::span<const double> inv_freq, double attention_factor,
               std::span<const std::int32_t> positions, std::size_t t0, std::size_t n, float* cos, float* sin) {
  const std::size_t h = inv_freq.size(), r = 2 * h;
  cache_rows(inv_freq, positions, p.offset, t0, n, p.inverse ? 1.0 / attention_factor : attention_factor, cos, sin, h);
  if (!p.xpos) return;
  const double direction = (p.xpos_key ? -1.0 : 1.0) * (p.inverse ? -1.0 : 1.0);
  for (std::size_t t = 0; t < n; ++t) {
    const double pos = positions.empty() ? static_cast<double>(p.offset + static_cast<std::int64_t>(t0 + t))
                                         : static_cast<double>(positions[t0 + t]);
    const double e = direction * (pos - p.xpos_center) / p.xpos_scale_base;
    for (std::size_t i = 0; i < h; ++i) {
      const double zeta = (static_cast<double>(2 * i) + p.xpos_gamma * static_cast<double>(r)) /
                          ((1.0 + p.xpos_gamma) * static_cast<double>(r));
      const float k = static_cast<float>(std::pow(zeta, e));
      cos[t * h + i] *= k;
      sin[t * h + i] *= k;
    }
  }
}

Status rope_apply(std::span<float> x, const RopeApplyParams& p, std::span<const double> inv_freq,
                  double attention_factor, std::span<const std::int32_t> positions) {
  if (Status s = rope_apply_check(x.size(), p, inv_freq, attention_factor, positions); !s.ok()) return s;
  RopeApplyParams q = p;
  if (q.xpos) q.xpos_center = rope_xpos_center(p, positions);
  const std::size_t h = inv_freq.size();
  const std::size_t block = std::clamp<std::size_t>(cache_block_floats / h, 1, 64);
  alignas(64) float cb[cache_block_floats], sb[cache_block_floats];
  for (std::size_t t0 = 0; t0 < p.seq; t0 += block) {
    const std::size_t n = std::min(block, p.seq - t0);
    rope_rows(q, inv_freq, attention_factor, positions, t0, n, cb, sb);
    // One pass over each block: a NaN/infinity in x (checked when asked) is named by its index; finite
    // x times cos/sin can still leave float32 (|x| near FLT_MAX, or an attention factor or xPos scale
    // above 1): then x is zeroed.
    float* rows = x.data() + t0 * p.heads * p.head_dim;
    const RopeRotateArgs args{n, p.heads, p.head_dim, 2 * h, p.layout, p.inverse, cb, sb, h};
    const std::size_t r = p.first_non_finite == nullptr ? rotate<false>(rows, args) : rotate<true>(rows, args);
    if (r == output_overflow) {
      std::fill(x.begin(), x.end(), 0.0f);
      return Status::range("x", "is too large: a rotated value overflows float32 (x is zeroed)");
    }
    if (r != all_finite_here) {
      *p.first_non_finite = t0 * p.heads * p.head_dim + r;
      return Status::range("x", "must be finite");
    }
  }
  return Status::success();
}

}  // namespace posenc
