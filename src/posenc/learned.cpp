// SPDX-License-Identifier: MIT
// posenc: learned absolute position tables (see learned.hpp for the generator and the sources).
//
// No SIMD kernel here: the generator is one sequential stream (its order defines the table) and a
// lookup copies whole rows.
#include "posenc/learned.hpp"

#include <cmath>
#include <cstring>

namespace posenc {

namespace {

// Marsaglia's polar method over SplitMix64 uniforms; yields z1, then z2 of each accepted pair.
class NormalStream {
 public:
  explicit NormalStream(std::uint64_t seed) : rng_{seed} {}

  double next() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    double u1, u2, s;
    do {
      u1 = 2.0 * rng_.uniform() - 1.0;  // exact: a multiple of 2^-52 in [-1, 1)
      u2 = 2.0 * rng_.uniform() - 1.0;
      s = u1 * u1 + u2 * u2;
    } while (!(s > 0.0 && s < 1.0));
    const double f = std::sqrt(-2.0 * portable_log(s) / s);
    spare_ = u2 * f;
    has_spare_ = true;
    return u1 * f;
  }

 private:
  SplitMix64 rng_;
  double spare_ = 0.0;
  bool has_spare_ = false;
};

Status check_shape(const LearnedParams& p) {
  if (p.max_positions == 0) return Status::range("maxPositions", "must be at least 1");
  if (static_cast<std::uint64_t>(p.max_positions) > static_cast<std::uint64_t>(max_position) + 1)
    return Status::range("maxPositions", "must be at most 2^24 + 1 (positions are in [0, 2^24])");
  if (p.dim == 0) return Status::range("dim", "must be at least 1");
  // Divided, not multiplied: maxPositions * dim wraps 64 bits for a dim near 2^63 (found by fuzz_bias).
  if (p.dim > max_output_floats / p.max_positions)
    return Status::range("maxPositions", "maxPositions * dim exceeds the 256 MiB table limit");
  return Status::success();
}

}  // namespace

Status learned_check(const LearnedParams& p, std::size_t table_size) {
  if (Status s = check_shape(p); !s.ok()) return s;
  if (table_size != p.max_positions * p.dim) return Status::range("table", "must hold maxPositions * dim floats");
  return Status::success();
}

Status learned_init(const LearnedParams& p, const LearnedInit& init, std::span<float> table) {
  if (Status s = learned_check(p, table.size()); !s.ok()) return s;
  if (!std::isfinite(init.std) || init.std < 0.0 || init.std > 1e30)
    return Status::range("std", "must be a finite number in [0, 1e30]");
  NormalStream normal(init.seed);
  for (float& x : table) x = static_cast<float>(init.std * normal.next());
  return Status::success();
}

std::size_t learned_first_missing_row(const LearnedParams& p, std::span<const std::int32_t> positions) {
  for (std::size_t n = 0; n < positions.size(); ++n) {
    if (positions[n] < 0 || static_cast<std::uint64_t>(positions[n]) >= p.max_positions) return n;
  }
  return positions.size();
}

Status learned_lookup(const LearnedParams& p, std::span<const float> table, std::span<const std::int32_t> positions,
                      std::span<float> out) {
  if (Status s = learned_check(p, table.size()); !s.ok()) return s;
  if (static_cast<std::uint64_t>(positions.size()) * p.dim > max_output_floats)
    return Status::range("positions", "positions.length * dim exceeds the 256 MiB output limit");
  if (out.size() != positions.size() * p.dim) return Status::range("out", "must hold positions.length * dim floats");
  if (learned_first_missing_row(p, positions) != positions.size())
    return Status::range("positions", "holds a position outside [0, maxPositions): the table has no row for it");
  for (const std::int32_t r : positions) {
    for (std::size_t c = 0; c < p.dim; ++c) {
      if (!std::isfinite(table[r * p.dim + c])) return Status::range("table", "a row looked up holds NaN or infinity");
    }
  }
  for (std::size_t n = 0; n < positions.size(); ++n) {
    std::memcpy(out.data() + n * p.dim, table.data() + positions[n] * p.dim, p.dim * sizeof(float));
  }
  return Status::success();
}

double portable_log(double x) {
  constexpr double ln2_hi = 0x1.62e42fee00000p-1;   // ln 2 to 33 bits: e * ln2_hi is exact for |e| < 2^20
  constexpr double ln2_lo = 0x1.a39ef35793c76p-33;  // ln 2 - ln2_hi
  constexpr double sqrt_half = 0x1.6a09e667f3bcdp-1;
  // 2/(2k+1), k = 1..11, each rounded once by the compiler.
  constexpr double c[] = {2.0 / 3,  2.0 / 5,  2.0 / 7,  2.0 / 9,  2.0 / 11, 2.0 / 13,
                          2.0 / 15, 2.0 / 17, 2.0 / 19, 2.0 / 21, 2.0 / 23};
  int e = 0;
  double m = std::frexp(x, &e);  // x = m * 2^e, m in [0.5, 1)
  if (m < sqrt_half) {
    m *= 2.0;
    e -= 1;
  }
  // ln(1 + f) = 2 atanh(s) = 2s + s R,  R = 2 (s^2/3 + s^4/5 + ...),  s = f / (2 + f).
  // Rearranged as in fdlibm's __ieee754_log so that the exact f carries the leading term:
  // 2s = f - s f and s f = hfsq (1 - s) with hfsq = f^2 / 2, hence ln(1 + f) = f - (hfsq - s (hfsq + R)).
  const double f = m - 1.0;  // exact (Sterbenz)
  const double s = f / (2.0 + f);
  const double s2 = s * s;
  double poly = c[10];
  for (int k = 9; k >= 0; --k) poly = c[k] + s2 * poly;
  const double r = s2 * poly;
  const double hfsq = 0.5 * f * f;
  const double de = static_cast<double>(e);
  return de * ln2_hi - ((hfsq - (s * (hfsq + r) + de * ln2_lo)) - f);
}

}  // namespace posenc
