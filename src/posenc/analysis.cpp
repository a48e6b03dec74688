// SPDX-License-Identifier: MIT
// posenc: similarity, relative score curves, RoPE's relative check, the permutation test
// (see analysis.hpp for the formulas and sources).
#include "posenc/analysis.hpp"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "posenc/alibi.hpp"
#include "posenc/finite.hpp"
#include "posenc/matmul.hpp"
#include "posenc/nope.hpp"
#include "posenc/random.hpp"

namespace posenc {

namespace {

constexpr std::size_t max_head_dim = 8192;
constexpr std::size_t rope_block_floats = 1 << 16;   // rotated queries per block: 256 KiB
constexpr double max_check_work = double(1u << 30);  // samples * distances * headDim
constexpr std::size_t max_tokens = std::size_t(max_position) + 1;

// malloc'd scratch that frees itself; failed() when the allocation did (reported, never thrown).
template <class T>
class Scratch {
 public:
  explicit Scratch(std::size_t n) : p_(n ? static_cast<T*>(std::malloc(n * sizeof(T))) : nullptr), n_(n) {}
  ~Scratch() { std::free(p_); }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  bool failed() const { return n_ != 0 && p_ == nullptr; }
  T* data() { return p_; }
  std::span<T> span() { return {p_, n_}; }

 private:
  T* p_;
  std::size_t n_;
};

Status out_of_memory(const char* param) { return Status::range(param, "needs more memory than is available"); }

// ---------------------------------------------------------------------------------------------
// Relative curves.

struct Range {
  std::int64_t lo, hi;  // smallest and largest distance
};

Range range_of(std::span<const std::int32_t> d) {
  const auto [lo, hi] = std::minmax_element(d.begin(), d.end());
  return {*lo, *hi};
}

Status check_distances(std::span<const std::int32_t> d, std::size_t heads) {
  if (d.empty()) return Status::range("distances", "must hold at least one distance");
  if (d.size() > max_output_floats / heads)
    return Status::range("distances", "heads * distances exceeds the 256 MiB output limit");
  const Range r = range_of(d);
  // The pair farthest apart: the larger of the positive and the negative extent.
  if (std::max<std::int64_t>(r.hi, 0) - std::min<std::int64_t>(r.lo, 0) > max_position)
    return Status::range("distances",
                         "max(0, max d) - min(0, min d) must be at most 2^24 (positions lie in [0, 2^24])");
  return Status::success();
}

Status check_rope(const RelativeScoreParams& p) {
  if (p.layout != RopeLayout::half && p.layout != RopeLayout::interleaved)
    return Status::type("layout", "must be 'half' or 'interleaved'");
  if (p.q.size() < 2 || p.q.size() > max_head_dim) return Status::range("q", "must have headDim entries, 2 to 8192");
  if (p.k.size() != p.q.size()) return Status::range("k", "must have as many entries as q");
  if (!all_finite(p.q)) return Status::range("q", "entries must be finite");
  if (!all_finite(p.k)) return Status::range("k", "entries must be finite");
  if (p.inv_freq.empty() || 2 * p.inv_freq.size() > p.q.size())
    return Status::range("frequencies", "need 1 to headDim / 2 inverse frequencies (2 * invFreq.length <= q.length)");
  return Status::success();  // frequency values and the attention factor: rope_apply checks them
}

// s(d_t) = <R(n + d_t) q, R(n) k> for every t, in float64, with the key at position n. Queries are
// rotated in blocks of rows; x and pos are scratch for one block.
Status rope_curve(const RelativeScoreParams& p, std::span<const std::int32_t> d, std::int64_t n, float* x,
                  std::int32_t* pos, std::size_t block, double* out) {
  const std::size_t D = p.q.size();
  alignas(64) float kr[max_head_dim];
  std::copy(p.k.begin(), p.k.end(), kr);
  RopeApplyParams rk{.seq = 1, .heads = 1, .head_dim = D, .layout = p.layout, .offset = n};
  if (Status s = rope_apply({kr, D}, rk, p.inv_freq, p.attention_factor, {}); !s.ok()) return s;
  for (std::size_t t0 = 0; t0 < d.size(); t0 += block) {
    const std::size_t rows = std::min(block, d.size() - t0);
    for (std::size_t t = 0; t < rows; ++t) {
      std::copy(p.q.begin(), p.q.end(), x + t * D);
      pos[t] = static_cast<std::int32_t>(n + d[t0 + t]);
    }
    const RopeApplyParams rq{.seq = rows, .heads = 1, .head_dim = D, .layout = p.layout};
    if (Status s = rope_apply({x, rows * D}, rq, p.inv_freq, p.attention_factor, {pos, rows}); !s.ok()) return s;
    for (std::size_t t = 0; t < rows; ++t) {
      double acc = 0.0;
      for (std::size_t c = 0; c < D; ++c) acc += double(x[t * D + c]) * double(kr[c]);
      out[t0 + t] = acc;
    }
  }
  return Status::success();
}

// Scratch of one rope_curve call.
struct RopeScratch {
  std::size_t block;
  Scratch<float> x;
  Scratch<std::int32_t> pos;
  explicit RopeScratch(const RelativeScoreParams& p, std::size_t count)
      : block(std::clamp<std::size_t>(rope_block_floats / p.q.size(), 1, count)), x(block * p.q.size()), pos(block) {}
  bool failed() const { return x.failed() || pos.failed(); }
};

// One query row of the method's bias, the query at position p = max(0, hi) and keys 0 .. p - lo.
struct BiasRow {
  AttentionShape shape;
  std::int64_t query;
};

BiasRow bias_row(const RelativeScoreParams& p, Range r) {
  const std::int64_t query = std::max<std::int64_t>(r.hi, 0);
  return {{.heads = p.heads, .queries = 1, .keys = static_cast<std::size_t>(query - r.lo + 1), .query_offset = query},
          query};
}

Status check_bias(const RelativeScoreParams& p, const BiasRow& row) {
  const std::size_t size = row.shape.heads * row.shape.keys;
  switch (p.method) {
    case RelativeMethod::alibi:
      return alibi_bias_check({.shape = row.shape, .causal = false}, size);
    case RelativeMethod::t5:
      return t5_bias_check({.shape = row.shape, .buckets = p.t5}, p.t5_table, size);
    case RelativeMethod::kerple:
      return kerple_bias_check({.shape = row.shape, .causal = false, .variant = p.kerple_variant}, p.kerple_r1,
                               p.kerple_r2, size);
    case RelativeMethod::rope:
      break;
  }
  return Status::type("method", "must be 'rope', 'alibi', 't5' or 'kerple'");
}

Status fill_bias(const RelativeScoreParams& p, const BiasRow& row, std::span<float> out) {
  switch (p.method) {
    case RelativeMethod::alibi:
      return alibi_bias({.shape = row.shape, .causal = false}, out);
    case RelativeMethod::t5:
      return t5_bias({.shape = row.shape, .buckets = p.t5}, p.t5_table, out);
    case RelativeMethod::kerple:
      return kerple_bias({.shape = row.shape, .causal = false, .variant = p.kerple_variant}, p.kerple_r1, p.kerple_r2,
                         out);
    case RelativeMethod::rope:
      break;
  }
  return Status::type("method", "must be 'rope', 'alibi', 't5' or 'kerple'");
}

// Validate a permutation of 0 .. n-1 (every index once).
Status check_permutation(std::span<const std::int32_t> perm) {
  Scratch<unsigned char> seen(perm.size());
  if (seen.failed()) return out_of_memory("permutation");
  std::fill(seen.data(), seen.data() + perm.size(), 0);
  for (std::int32_t i : perm) {
    if (i < 0 || static_cast<std::size_t>(i) >= perm.size())
      return Status::range("permutation", "entries must be token indices in [0, length)");
    if (seen.data()[i]) return Status::range("permutation", "must hold every token index exactly once");
    seen.data()[i] = 1;
  }
  return Status::success();
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Similarity.

Status similarity(std::span<const float> table, std::size_t rows, std::size_t dim, SimilarityMetric metric,
                  std::span<float> out) {
  if (metric != SimilarityMetric::dot && metric != SimilarityMetric::cosine)
    return Status::type("metric", "must be 'dot' or 'cosine'");
  if (rows == 0) return Status::range("rows", "must be at least 1");
  if (dim == 0) return Status::range("dim", "must be at least 1");
  if (rows > max_output_floats / rows) return Status::range("rows", "rows * rows exceeds the 256 MiB output limit");
  if (dim > max_output_floats / rows) return Status::range("table", "exceeds the 256 MiB input limit");
  if (table.size() != rows * dim) return Status::range("table", "must hold rows * dim floats");
  if (out.size() != rows * rows) return Status::range("out", "must hold rows * rows floats");
  if (!all_finite(table)) return Status::range("table", "entries must be finite");

  const bool cosine = metric == SimilarityMetric::cosine;
  Scratch<double> norm(rows);
  Scratch<float> bt(dim * rows), unit(cosine ? rows * dim : 0);
  if (norm.failed() || bt.failed() || unit.failed()) return out_of_memory("table");
  double largest = 0.0;
  for (std::size_t i = 0; i < rows; ++i) {
    double s = 0.0;
    for (std::size_t c = 0; c < dim; ++c) s += double(table[i * dim + c]) * double(table[i * dim + c]);
    norm.data()[i] = std::sqrt(s);
    largest = std::max(largest, s);
  }
  // |x_i . x_j| <= |x_i| |x_j| (Cauchy-Schwarz), and so is every partial sum of it.
  if (!cosine && largest > double(FLT_MAX))
    return Status::range("table", "is so large that dot products exceed the float32 range (use metric 'cosine')");

  const float* a = table.data();
  if (cosine) {
    for (std::size_t i = 0; i < rows; ++i) {
      const double n = norm.data()[i];
      for (std::size_t c = 0; c < dim; ++c)
        unit.data()[i * dim + c] = n > 0.0 ? static_cast<float>(double(table[i * dim + c]) / n) : 0.0f;
    }
    a = unit.data();
  }
  for (std::size_t i = 0; i < rows; ++i)
    for (std::size_t c = 0; c < dim; ++c) bt.data()[c * rows + i] = a[i * dim + c];
  matmul_fast({rows, rows, dim, a, dim, bt.data(), rows, out.data(), rows});

  for (std::size_t i = 0; i < rows; ++i) {
    float* row = out.data() + i * rows;
    if (cosine) {
      for (std::size_t j = i + 1; j < rows; ++j) row[j] = std::clamp(row[j], -1.0f, 1.0f);
      row[i] = norm.data()[i] > 0.0 ? 1.0f : 0.0f;
    }
    for (std::size_t j = i + 1; j < rows; ++j) out[j * rows + i] = row[j];
  }
  return Status::success();
}

// ---------------------------------------------------------------------------------------------
// Relative score curves.

std::size_t relative_heads(const RelativeScoreParams& p) { return p.method == RelativeMethod::rope ? 1 : p.heads; }

Status relative_scores(const RelativeScoreParams& p, std::span<const std::int32_t> d, std::span<float> out) {
  if (p.method != RelativeMethod::rope && p.method != RelativeMethod::alibi && p.method != RelativeMethod::t5 &&
      p.method != RelativeMethod::kerple)
    return Status::type("method", "must be 'rope', 'alibi', 't5' or 'kerple'");
  if (p.method != RelativeMethod::rope && (p.heads == 0 || p.heads > max_heads))
    return Status::range("heads", "must be in [1, 65536]");
  const std::size_t heads = relative_heads(p);
  if (Status s = check_distances(d, heads); !s.ok()) return s;
  if (out.size() != heads * d.size()) return Status::range("out", "must hold heads * distances floats");
  const Range r = range_of(d);

  if (p.method == RelativeMethod::rope) {
    if (Status s = check_rope(p); !s.ok()) return s;
    RopeScratch scratch(p, d.size());
    Scratch<double> curve(d.size());
    if (scratch.failed() || curve.failed()) return out_of_memory("distances");
    const std::int64_t n = std::max<std::int64_t>(0, -r.lo);
    if (Status s = rope_curve(p, d, n, scratch.x.data(), scratch.pos.data(), scratch.block, curve.data()); !s.ok())
      return s;
    for (std::size_t t = 0; t < d.size(); ++t) out[t] = static_cast<float>(curve.data()[t]);
    return Status::success();
  }

  const BiasRow row = bias_row(p, r);
  if (row.shape.keys > max_output_floats / heads)
    return Status::range("distances", "heads * (max(0, max d) - min d + 1) exceeds the 256 MiB working limit");
  if (Status s = check_bias(p, row); !s.ok()) return s;
  Scratch<float> bias(heads * row.shape.keys);
  if (bias.failed()) return out_of_memory("distances");
  if (Status s = fill_bias(p, row, bias.span()); !s.ok()) return s;
  for (std::size_t h = 0; h < heads; ++h)
    for (std::size_t t = 0; t < d.size(); ++t)
      out[h * d.size() + t] = bias.data()[h * row.shape.keys + static_cast<std::size_t>(row.query - d[t])];
  return Status::success();
}

Status rope_relative_check(const RelativeScoreParams& p, std::span<const std::int32_t> d, std::int64_t max_pos,
                           std::size_t samples, RelativeCheck& result) {
  if (p.method != RelativeMethod::rope) return Status::type("method", "the relative check is for 'rope'");
  if (Status s = check_distances(d, 1); !s.ok()) return s;
  if (Status s = check_rope(p); !s.ok()) return s;
  if (samples < 2 || samples > 4096) return Status::range("samples", "must be in [2, 4096]");
  if (double(samples) * double(d.size()) * double(p.q.size()) > max_check_work)
    return Status::range("samples", "samples * distances * headDim must be at most 2^30");
  const Range r = range_of(d);
  const std::int64_t first = std::max<std::int64_t>(0, -r.lo);
  if (max_pos < 0 || max_pos > max_position) return Status::range("maxPosition", "must be an integer in [0, 2^24]");
  const std::int64_t last = max_pos - std::max<std::int64_t>(0, r.hi);
  if (last < first) return Status::range("maxPosition", "must be at least max(0, max d) + max(0, -min d)");

  RopeScratch scratch(p, d.size());
  Scratch<double> ref(d.size()), cur(d.size());
  if (scratch.failed() || ref.failed() || cur.failed()) return out_of_memory("distances");
  if (Status s = rope_curve(p, d, first, scratch.x.data(), scratch.pos.data(), scratch.block, ref.data()); !s.ok())
    return s;
  double deviation = 0.0;
  const std::int64_t steps = static_cast<std::int64_t>(samples) - 1;
  for (std::int64_t s = 1; s <= steps; ++s) {
    const std::int64_t n = first + (s * (last - first) + steps / 2) / steps;  // rounded, n_last = last
    if (Status st = rope_curve(p, d, n, scratch.x.data(), scratch.pos.data(), scratch.block, cur.data()); !st.ok())
      return st;
    for (std::size_t t = 0; t < d.size(); ++t) {
      const double e = std::abs(cur.data()[t] - ref.data()[t]);
      if (std::isnan(e) || e > deviation) deviation = e;  // a NaN stays
    }
  }
  const std::size_t R = 2 * p.inv_freq.size(), D = p.q.size();
  double qr = 0, kr = 0, qp = 0, kp = 0;
  for (std::size_t c = 0; c < D; ++c) {
    const double q2 = double(p.q[c]) * p.q[c], k2 = double(p.k[c]) * p.k[c];
    (c < R ? qr : qp) += q2;
    (c < R ? kr : kp) += k2;
  }
  result.deviation = deviation;
  result.bound = p.attention_factor * p.attention_factor * std::sqrt(qr * kr) + std::sqrt(qp * kp);
  return Status::success();
}

// ---------------------------------------------------------------------------------------------
// Permutation test.

Status random_permutation(std::uint64_t seed, std::span<std::int32_t> out) {
  if (out.empty() || out.size() > max_tokens) return Status::range("shape", "needs 1 to 2^24 + 1 tokens");
  SplitMix64 rng{seed};
  for (;;) {
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<std::int32_t>(i);
    for (std::size_t i = out.size() - 1; i > 0; --i) {
      const std::uint64_t j = rng.below(i + 1);  // uniform in [0, i] up to 2^-32
      std::swap(out[i], out[static_cast<std::size_t>(j)]);
    }
    bool identity = true;
    for (std::size_t i = 0; i < out.size() && identity; ++i) identity = out[i] == static_cast<std::int32_t>(i);
    if (!identity || out.size() < 2) return Status::success();
  }
}

Status permute_rows(std::span<const float> x, std::size_t row_size, std::span<const std::int32_t> perm,
                    std::span<float> y) {
  if (row_size == 0) return Status::range("rowSize", "must be at least 1");
  if (perm.empty() || perm.size() > max_output_floats / row_size)
    return Status::range("permutation", "must have 1 entry per row, at most 256 MiB of rows");
  if (x.size() != perm.size() * row_size) return Status::range("x", "must hold permutation.length * rowSize floats");
  if (y.size() != x.size()) return Status::range("out", "must have the size of x");
  if (Status s = check_permutation(perm); !s.ok()) return s;
  for (std::size_t i = 0; i < perm.size(); ++i)
    std::memcpy(y.data() + i * row_size, x.data() + static_cast<std::size_t>(perm[i]) * row_size,
                row_size * sizeof(float));
  return Status::success();
}

Status equivariance_error(std::span<const float> out, std::span<const float> permuted_out, std::size_t row_size,
                          std::span<const std::int32_t> perm, double& error) {
  if (row_size == 0) return Status::range("rowSize", "must be at least 1");
  if (perm.empty() || perm.size() > max_output_floats / row_size)
    return Status::range("permutation", "must have 1 entry per row, at most 256 MiB of rows");
  if (out.size() != perm.size() * row_size)
    return Status::range("output", "must hold permutation.length * rowSize floats");
  if (permuted_out.size() != out.size()) return Status::range("permutedOutput", "must have the size of output");
  if (Status s = check_permutation(perm); !s.ok()) return s;
  double e = 0.0;
  for (std::size_t i = 0; i < perm.size(); ++i) {
    const float* a = permuted_out.data() + i * row_size;
    const float* b = out.data() + static_cast<std::size_t>(perm[i]) * row_size;
    for (std::size_t c = 0; c < row_size; ++c) {
      const double diff = std::abs(double(a[c]) - double(b[c]));
      if (std::isnan(diff) || diff > e) e = diff;  // a NaN stays
    }
  }
  error = e;
  return Status::success();
}

Status permutation_test(const AttentionParams& p, std::span<const float> q, std::span<const float> k,
                        std::span<const float> v, std::span<const std::int32_t> perm, std::span<float> out,
                        std::span<float> permuted_out, double& error) {
  if (p.queries != p.keys)
    return Status::range("shape", "the permutation test is self-attention: queries must equal keys");
  if (p.query_offset > 0) return Status::range("queryOffset", "must be 0 (token i at position i)");
  if (perm.size() != p.queries) return Status::range("permutation", "must have one entry per token");
  if (Status s = check_permutation(perm); !s.ok()) return s;
  if (permuted_out.size() != out.size()) return Status::range("permutedOutput", "must have the size of out");
  const std::size_t n = q.size();
  Scratch<float> qy(n), ky(k.size()), vy(v.size());
  if (qy.failed() || ky.failed() || vy.failed()) return out_of_memory("shape");
  if (Status s = attention(p, q, k, v, out, {}); !s.ok()) return s;  // validates the rest
  const std::size_t row = p.heads * p.head_dim;
  for (auto [x, y] : {std::pair{q, qy.span()}, std::pair{k, ky.span()}, std::pair{v, vy.span()}})
    if (Status s = permute_rows(x, row, perm, y); !s.ok()) return s;
  if (Status s = attention(p, qy.span(), ky.span(), vy.span(), permuted_out, {}); !s.ok()) return s;
  return equivariance_error(out, permuted_out, row, perm, error);
}

}  // namespace posenc
