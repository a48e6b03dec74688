// SPDX-License-Identifier: MIT
// posenc: relative position representations (see shaw.hpp for the formulas and sources).
#include "posenc/shaw.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "posenc/finite.hpp"
#include "posenc/simd.hpp"

namespace posenc {

namespace {

using u64 = std::uint64_t;

// Bound on |q_i| * (|k_j| + |aK_r|) and on |v_j| + |aV_r| (Euclidean norms): below it no logit,
// partial sum or output can overflow float32 (3.4e38).
constexpr double max_magnitude = 1e38;

// Largest Euclidean norm of the rows of a [rows][dim] matrix, in float64 (no overflow).
double max_row_norm(std::span<const float> x, std::size_t dim) {
  double m = 0.0;
  for (std::size_t r = 0; r < x.size() / dim; ++r) {
    double s = 0.0;
    for (std::size_t t = 0; t < dim; ++t) s += double(x[r * dim + t]) * double(x[r * dim + t]);
    m = std::max(m, s);
  }
  return std::sqrt(m);
}

// The xsimd parts of the kernels: they handle a multiple of the batch size and return how much they
// did; the caller's scalar loop finishes (or does everything in builds without SIMD).
#if POSENC_HAVE_SIMD
std::size_t dot_simd(const float* a, const float* b, std::size_t n, float& sum) {
  using B = simd::batch_f32;
  const std::size_t nvec = n / B::size * B::size;
  if (nvec == 0) return 0;
  B acc(0.0f);
  for (std::size_t t = 0; t < nvec; t += B::size) acc += B::load_unaligned(a + t) * B::load_unaligned(b + t);
  sum = xsimd::hadd(acc);
  return nvec;
}

std::size_t axpy_simd(float alpha, const float* x, float* y, std::size_t n) {
  using B = simd::batch_f32;
  const std::size_t nvec = n / B::size * B::size;
  const B a(alpha);
  for (std::size_t t = 0; t < nvec; t += B::size) {
    (B::load_unaligned(y + t) + a * B::load_unaligned(x + t)).store_unaligned(y + t);
  }
  return nvec;
}
#else
std::size_t dot_simd(const float*, const float*, std::size_t, float&) { return 0; }
std::size_t axpy_simd(float, const float*, float*, std::size_t) { return 0; }
#endif

float dot(const float* a, const float* b, std::size_t n) {
  float sum = 0.0f;
  std::size_t t = dot_simd(a, b, n, sum);
  for (; t < n; ++t) sum += a[t] * b[t];
  return sum;
}

// y += alpha * x
void axpy(float alpha, const float* x, float* y, std::size_t n) {
  std::size_t t = axpy_simd(alpha, x, y, n);
  for (; t < n; ++t) y[t] += alpha * x[t];
}

}  // namespace

Status shaw_check_positions(const ShawParams& p) {
  const u64 rows = u64(max_position) + 1;
  if (p.queries == 0) return Status::range("queries", "must be at least 1");
  if (p.queries > rows) return Status::range("queries", "must be at most 2^24 + 1");
  if (p.keys == 0) return Status::range("keys", "must be at least 1");
  if (p.keys > rows) return Status::range("keys", "must be at most 2^24 + 1 (key positions are in [0, 2^24])");
  if (p.max_distance > u64(max_position)) return Status::range("maxDistance", "must be at most 2^24");
  if (p.query_offset < 0) return Status::range("queryOffset", "must be >= 0");
  if (p.query_offset > max_position - static_cast<std::int64_t>(p.queries - 1))
    return Status::range("queryOffset", "queryOffset + queries - 1 exceeds the largest position, 2^24");
  return Status::success();
}

Status shaw_check(const ShawParams& p, const ShawInputs& in, const ShawOutputs& out) {
  if (Status s = shaw_check_positions(p); !s.ok()) return s;
  if (p.dim == 0) return Status::range("dim", "must be at least 1");
  if (p.dim > max_output_floats) return Status::range("dim", "exceeds the 256 MiB output limit");
  const u64 qk = u64(p.queries) * p.keys, qd = u64(p.queries) * p.dim;
  if (2 * qk + qd > max_output_floats)
    return Status::range("queries", "logits, weights and output together exceed the 256 MiB output limit");
  const u64 kd = u64(p.keys) * p.dim, td = (2 * u64(p.max_distance) + 1) * p.dim;
  if (in.q.size() != qd) return Status::range("q", "must hold queries * dim floats");
  if (in.k.size() != kd) return Status::range("k", "must hold keys * dim floats");
  if (in.v.size() != kd) return Status::range("v", "must hold keys * dim floats");
  if (in.table_k.size() != td) return Status::range("tableK", "must hold (2 * maxDistance + 1) * dim floats");
  if (in.table_v.size() != td) return Status::range("tableV", "must hold (2 * maxDistance + 1) * dim floats");
  if (out.logits.size() != qk) return Status::range("logits", "must hold queries * keys floats");
  if (out.weights.size() != qk) return Status::range("weights", "must hold queries * keys floats");
  if (out.output.size() != qd) return Status::range("output", "must hold queries * dim floats");
  if (!all_finite(in.q)) return Status::range("q", "must hold finite values");
  if (!all_finite(in.k)) return Status::range("k", "must hold finite values");
  if (!all_finite(in.v)) return Status::range("v", "must hold finite values");
  if (!all_finite(in.table_k)) return Status::range("tableK", "must hold finite values");
  if (!all_finite(in.table_v)) return Status::range("tableV", "must hold finite values");
  const double qn = max_row_norm(in.q, p.dim);
  if (qn * (max_row_norm(in.k, p.dim) + max_row_norm(in.table_k, p.dim)) > max_magnitude)
    return Status::range("q", "is too large: |q_i| * (|k_j| + |tableK_r|) exceeds 1e38, a logit would overflow");
  if (max_row_norm(in.v, p.dim) + max_row_norm(in.table_v, p.dim) > max_magnitude)
    return Status::range("v", "is too large: |v_j| + |tableV_r| exceeds 1e38, an output would overflow");
  return Status::success();
}

Status shaw_indices(const ShawParams& p, std::span<std::int32_t> out) {
  if (Status s = shaw_check_positions(p); !s.ok()) return s;
  if (u64(p.queries) * p.keys > max_output_floats)
    return Status::range("queries", "queries * keys exceeds the 256 MiB output limit");
  if (out.size() != p.queries * p.keys) return Status::range("out", "must hold queries * keys integers");
  const auto k = static_cast<std::int64_t>(p.max_distance);
  for (std::size_t i = 0; i < p.queries; ++i) {
    const std::int64_t pos = p.query_offset + static_cast<std::int64_t>(i);
    for (std::size_t j = 0; j < p.keys; ++j) out[i * p.keys + j] = static_cast<std::int32_t>(shaw_row(pos, j, k));
  }
  return Status::success();
}

Status shaw_attention(const ShawParams& params, const ShawInputs& in, const ShawOutputs& out) {
  if (Status s = shaw_check(params, in, out); !s.ok()) return s;
  shaw_attention_fast(params, in, out);
  return Status::success();
}

void shaw_attention_reference(const ShawParams& p, const ShawInputs& in, const ShawOutputs& out) {
  const std::size_t d = p.dim;
  const auto k = static_cast<std::int64_t>(p.max_distance);
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<double> e(p.keys);  // logits of one query, then its weights
  for (std::size_t i = 0; i < p.queries; ++i) {
    const std::int64_t pos = p.query_offset + static_cast<std::int64_t>(i);
    double emax = -inf;
    for (std::size_t j = 0; j < p.keys; ++j) {
      e[j] = -inf;
      if (p.causal && static_cast<std::int64_t>(j) > pos) continue;
      const std::size_t r = shaw_row(pos, j, k);
      double s = 0.0;
      for (std::size_t t = 0; t < d; ++t)
        s += double(in.q[i * d + t]) * (double(in.k[j * d + t]) + double(in.table_k[r * d + t]));
      e[j] = s / std::sqrt(double(d));
      emax = std::max(emax, e[j]);
    }
    double sum = 0.0;
    for (std::size_t j = 0; j < p.keys; ++j) sum += std::exp(e[j] - emax);  // exp(-inf) = 0
    for (std::size_t j = 0; j < p.keys; ++j) {
      out.logits[i * p.keys + j] = static_cast<float>(e[j]);
      e[j] = std::exp(e[j] - emax) / sum;
      out.weights[i * p.keys + j] = static_cast<float>(e[j]);
    }
    for (std::size_t t = 0; t < d; ++t) {
      double z = 0.0;
      for (std::size_t j = 0; j < p.keys; ++j) {
        const std::size_t r = shaw_row(pos, j, k);
        z += e[j] * (double(in.v[j * d + t]) + double(in.table_v[r * d + t]));
      }
      out.output[i * d + t] = static_cast<float>(z);
    }
  }
}

void shaw_attention_fast(const ShawParams& p, const ShawInputs& in, const ShawOutputs& out) {
  const std::size_t d = p.dim, nk = p.keys, last = 2 * p.max_distance;
  const auto k = static_cast<std::int64_t>(p.max_distance);
  const float scale = static_cast<float>(1.0 / std::sqrt(double(d)));
  const float* table_k = in.table_k.data();
  const float* table_v = in.table_v.data();
  for (std::size_t i = 0; i < p.queries; ++i) {
    const std::int64_t pos = p.query_offset + static_cast<std::int64_t>(i);
    // Keys [0, visible) are attended: all of them, or those at positions <= pos (at least key 0).
    const std::size_t visible = p.causal ? std::min(nk, static_cast<std::size_t>(pos) + 1) : nk;
    const float* q = in.q.data() + i * d;
    float* e = out.logits.data() + i * nk;
    float* w = out.weights.data() + i * nk;
    float* z = out.output.data() + i * d;

    // Logits. The clipped rows 0 and 2k serve every key at distance >= k: one dot each per query.
    const float qa_first = dot(q, table_k, d);
    const float qa_last = dot(q, table_k + last * d, d);
    float emax = -std::numeric_limits<float>::infinity();
    for (std::size_t j = 0; j < visible; ++j) {
      const std::size_t r = shaw_row(pos, j, k);
      const float qa = r == 0 ? qa_first : r == last ? qa_last : dot(q, table_k + r * d, d);
      e[j] = (dot(q, in.k.data() + j * d, d) + qa) * scale;
      emax = std::max(emax, e[j]);
    }
    std::fill(e + visible, e + nk, -std::numeric_limits<float>::infinity());

    // Softmax: exp in float64 of (e - max), normalised by the float64 sum.
    double sum = 0.0;
    for (std::size_t j = 0; j < visible; ++j) {
      const double x = std::exp(double(e[j]) - double(emax));
      w[j] = static_cast<float>(x);
      sum += x;
    }
    const double inv = 1.0 / sum;
    for (std::size_t j = 0; j < visible; ++j) w[j] = static_cast<float>(double(w[j]) * inv);
    std::fill(w + visible, w + nk, 0.0f);

    // Output: sum_j w_j v_j, plus the interior table rows per key and the clipped rows once.
    std::fill(z, z + d, 0.0f);
    double w_first = 0.0, w_last = 0.0;  // summed weights of the clipped keys
    for (std::size_t j = 0; j < visible; ++j) {
      axpy(w[j], in.v.data() + j * d, z, d);
      const std::size_t r = shaw_row(pos, j, k);
      if (r == 0)
        w_first += w[j];
      else if (r == last)
        w_last += w[j];
      else
        axpy(w[j], table_v + r * d, z, d);
    }
    axpy(static_cast<float>(w_first), table_v, z, d);
    if (last != 0) axpy(static_cast<float>(w_last), table_v + last * d, z, d);
  }
}

}  // namespace posenc
