// SPDX-License-Identifier: MIT
// posenc: the attention engine (see attention.hpp).
#include "posenc/attention.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <limits>

#include "posenc/alibi.hpp"
#include "posenc/finite.hpp"
#include "posenc/matmul.hpp"
#include "posenc/shaw.hpp"
#include "posenc/softmax.hpp"

namespace posenc {

namespace {

constexpr std::size_t query_block = 32;     // plain path
constexpr std::size_t stream_queries = 64;  // streaming path
constexpr std::size_t stream_keys = 256;
constexpr float neg_inf = -std::numeric_limits<float>::infinity();

// malloc'd float memory that frees itself; null on failure (checked by the caller).
class Owned {
 public:
  explicit Owned(std::size_t n) : p_(n ? static_cast<float*>(std::malloc(n * sizeof(float))) : nullptr) {}
  ~Owned() { std::free(p_); }
  Owned(const Owned&) = delete;
  Owned& operator=(const Owned&) = delete;
  float* data() { return p_; }

 private:
  float* p_;
};

bool rotates(PositionMethod m) { return m == PositionMethod::rope || m == PositionMethod::xpos; }

bool relative_bias(PositionMethod m) {
  return m == PositionMethod::alibi || m == PositionMethod::t5 || m == PositionMethod::kerple;
}

Status check(const AttentionParams& p, std::size_t nq, std::size_t nkv, std::size_t out_size, std::size_t w_size) {
  if (p.queries == 0 || p.keys == 0 || p.heads == 0 || p.head_dim == 0)
    return Status::range("shape", "queries, keys, heads and headDim must be at least 1");
  if (p.head_dim > 8192) return Status::range("shape", "headDim must be at most 8192");
  if (p.heads > max_heads || p.heads > max_output_floats / p.head_dim)
    return Status::range("shape", "heads * headDim is limited to 256 MiB and heads to 65536");
  const std::size_t row = p.heads * p.head_dim;  // no overflow: at most max_output_floats
  if (p.queries > max_output_floats / row || p.keys > max_output_floats / row)
    return Status::range("shape", "q, k, v and out are limited to 256 MiB each");
  if (nq != p.queries * row) return Status::range("q", "must hold queries * heads * headDim floats");
  if (nkv != p.keys * row) return Status::range("k", "k and v must hold keys * heads * headDim floats");
  if (out_size != p.queries * row) return Status::range("out", "must hold queries * heads * headDim floats");
  if (p.keys - 1 > static_cast<std::size_t>(max_position)) return Status::range("shape", "keys exceed 2^24 + 1");
  const std::int64_t q0 = p.query_offset < 0 ? static_cast<std::int64_t>(p.keys) - static_cast<std::int64_t>(p.queries)
                                             : p.query_offset;
  if (q0 < 0) return Status::range("queryOffset", "must be given (>= 0) when there are more queries than keys");
  // q0 is compared alone first: q0 + queries would overflow for an offset near INT64_MAX.
  if (q0 > max_position || q0 + static_cast<std::int64_t>(p.queries) - 1 > max_position)
    return Status::range("queryOffset", "query positions exceed 2^24");
  if (!std::isnan(p.scale) && !(std::isfinite(p.scale) && p.scale > 0)) return Status::range("scale", "must be > 0");
  if (w_size != 0) {
    if (p.streaming) return Status::range("returnWeights", "the streaming path does not form the weights");
    if (p.heads > max_output_floats / p.queries / p.keys) return Status::range("returnWeights", "weights exceed 256 MiB");
    if (w_size != p.heads * p.queries * p.keys) return Status::range("weights", "must hold heads * queries * keys floats");
  }
  switch (p.method) {
    case PositionMethod::none:
    case PositionMethod::alibi:
      return Status::success();
    case PositionMethod::absolute: {
      if (p.table.empty() || p.table.size() % p.head_dim != 0)
        return Status::range("table", "must hold rows * headDim floats");
      const std::int64_t rows = static_cast<std::int64_t>(p.table.size() / p.head_dim);
      if (q0 + static_cast<std::int64_t>(p.queries) > rows || static_cast<std::int64_t>(p.keys) > rows)
        return Status::range("table", "has no row for some query or key position (an absolute table has a hard length)");
      if (!all_finite(p.table)) return Status::range("table", "entries must be finite");
      return Status::success();
    }
    case PositionMethod::rope:
    case PositionMethod::xpos:
      if (p.inv_freq.empty() || 2 * p.inv_freq.size() > p.head_dim)
        return Status::range("frequencies", "need 1 to headDim / 2 inverse frequencies");
      return Status::success();  // the rest is checked by rope_apply_check
    case PositionMethod::t5:
      return t5_bucket_check(p.t5);
    case PositionMethod::kerple:
      if (p.kerple_r1.size() != p.heads || p.kerple_r2.size() != p.heads)
        return Status::range("r1", "r1 and r2 need one value per head");
      return Status::success();
    case PositionMethod::shaw: {
      const std::size_t rows = 2 * p.shaw_max_distance + 1;
      // k = 0 is Shaw with a single relative vector; 2^20 bounds the (2k + 1)-float per-row workspace.
      if (p.shaw_max_distance > (1u << 20)) return Status::range("maxDistance", "must be in [0, 2^20]");
      if (p.shaw_k.size() != rows * p.head_dim || p.shaw_v.size() != rows * p.head_dim)
        return Status::range("tableK", "tableK and tableV must hold (2 * maxDistance + 1) * headDim floats");
      if (!all_finite(p.shaw_k)) return Status::range("tableK", "entries must be finite");
      if (!all_finite(p.shaw_v)) return Status::range("tableV", "entries must be finite");
      return Status::success();
    }
  }
  return Status::type("position", "unknown position method");
}

// The per-head bias for every relative distance r = j - p_i in [rmin, rmax]: rb[h][r - rmin].
Status fill_relative_bias(const AttentionParams& p, std::int64_t q0, float* rb, std::size_t span) {
  const std::int64_t rmin = -(q0 + static_cast<std::int64_t>(p.queries) - 1);
  // One query at position -rmin against keys 0 .. span-1 gives exactly r = rmin .. rmax.
  const AttentionShape shape{.heads = p.heads, .queries = 1, .keys = span, .query_offset = -rmin};
  const std::span<float> out(rb, p.heads * span);
  switch (p.method) {
    case PositionMethod::alibi:
      // The symmetric form -m|r|: equal to the causal -m(i - j) wherever the causal mask keeps a key.
      return alibi_bias({.shape = shape, .causal = false}, out);
    case PositionMethod::t5:
      return t5_bias({.shape = shape, .buckets = p.t5}, p.t5_table, out);
    case PositionMethod::kerple:
      return kerple_bias({.shape = shape, .causal = false, .variant = p.kerple_variant}, p.kerple_r1, p.kerple_r2, out);
    default:
      return Status::success();
  }
}

struct HeadData {
  const float* q;  // [queries][head_dim] contiguous
  const float* kt;  // [head_dim][keys], rows ldk apart
  std::size_t ldk;
  const float* v;  // [keys] rows of stride ldv
  std::size_t ldv;
  const float* bias;  // [queries + keys - 1] or null
};

// Shaw (shaw.hpp): only the table rows keys [j0, j1) of query position `pos` use,
// shaw_row(pos, j0) .. shaw_row(pos, j1 - 1); K may be far larger than the keys.
struct ShawRows {
  std::size_t first, last;  // inclusive
};
ShawRows shaw_rows(const AttentionParams& p, std::int64_t pos, std::size_t j0, std::size_t j1) {
  const std::int64_t K = static_cast<std::int64_t>(p.shaw_max_distance);
  return {shaw_row(pos, j0, K), shaw_row(pos, j1 - 1, K)};
}

// Shaw: add q_i . aK[c(j)] to the raw scores of row i (keys [j0, j1)); qa[c] for the rows used.
void shaw_scores(const AttentionParams& p, const float* qi, std::int64_t pos, std::size_t j0, std::size_t j1,
                 float* s, float* qa) {
  const std::size_t D = p.head_dim;
  const ShawRows rows = shaw_rows(p, pos, j0, j1);
  for (std::size_t c = rows.first; c <= rows.last; ++c) {
    float acc = 0.0f;
    for (std::size_t d = 0; d < D; ++d) acc += qi[d] * p.shaw_k[c * D + d];
    qa[c] = acc;
  }
  const std::int64_t K = static_cast<std::int64_t>(p.shaw_max_distance);
  for (std::size_t j = j0; j < j1; ++j) s[j - j0] += qa[shaw_row(pos, j, K)];
}

// Shaw: per-row sums of the probabilities of query i (keys [j0, j1)), added to w (2K + 1).
void shaw_buckets(const AttentionParams& p, std::int64_t pos, std::size_t j0, std::size_t j1, const float* prob, float* w) {
  const std::int64_t K = static_cast<std::int64_t>(p.shaw_max_distance);
  for (std::size_t j = j0; j < j1; ++j) w[shaw_row(pos, j, K)] += prob[j - j0];
}

// out_i += sum_c w[c] * aV[c] * k over the rows `rows` (the only ones w can hold).
void shaw_output(const AttentionParams& p, ShawRows rows, const float* w, float k, float* out) {
  const std::size_t D = p.head_dim;
  for (std::size_t c = rows.first; c <= rows.last; ++c) {
    const float wc = w[c] * k;
    if (wc != 0.0f)
      for (std::size_t d = 0; d < D; ++d) out[d] += wc * p.shaw_v[c * D + d];
  }
}

// false when a row's logits overflowed (softmax.hpp: a NaN row maximum, or every key at -inf).
bool head_plain(const AttentionParams& p, std::int64_t q0, float scale, const HeadData& hd, std::size_t h, float* out,
                std::size_t ldo, float* weights, float* s, float* qa, float* w) {
  const std::size_t D = p.head_dim, Lq = p.queries, Lk = p.keys;
  const bool shaw = p.method == PositionMethod::shaw;
  float inv_sum[query_block];
  for (std::size_t i0 = 0; i0 < Lq; i0 += query_block) {
    const std::size_t i1 = std::min(Lq, i0 + query_block), nb = i1 - i0;
    const std::size_t jmax = p.causal ? std::min<std::size_t>(Lk, q0 + i1) : Lk;  // keys the block needs
    matmul_fast({nb, jmax, D, hd.q + i0 * D, D, hd.kt, hd.ldk, s, jmax});
    for (std::size_t i = i0; i < i1; ++i) {
      float* row = s + (i - i0) * jmax;
      const std::int64_t pos = q0 + static_cast<std::int64_t>(i);
      if (shaw) shaw_scores(p, hd.q + i * D, pos, 0, jmax, row, qa);
      const std::size_t valid = p.causal ? std::min<std::size_t>(jmax, pos + 1) : jmax;
      const float* bias = hd.bias ? hd.bias + (Lq - 1 - i) : nullptr;
      // Unnormalised exp(z - max): the 1/sum is applied to the D outputs instead of the jmax weights.
      // Every key up to `valid` is a real one (the biases here are finite), so a maximum that is not
      // finite means the logits overflowed float32.
      float m = 0.0f;
      const float sum = softmax_row_fast({row, jmax, valid, scale, bias, false}, &m);
      if (!(std::isfinite(m) && std::isfinite(sum))) return false;
      inv_sum[i - i0] = sum > 0 ? 1.0f / sum : 0.0f;
      if (weights) {
        float* wrow = weights + (h * Lq + i) * Lk;
        for (std::size_t j = 0; j < jmax; ++j) wrow[j] = row[j] * inv_sum[i - i0];
        std::fill(wrow + jmax, wrow + Lk, 0.0f);
      }
    }
    float* o = out + i0 * ldo;
    matmul_fast({nb, D, jmax, s, jmax, hd.v, hd.ldv, o, ldo});
    for (std::size_t i = i0; i < i1; ++i) {
      float* oi = out + i * ldo;
      const float k = inv_sum[i - i0];
      for (std::size_t d = 0; d < D; ++d) oi[d] *= k;
      if (shaw) {
        const std::int64_t pos = q0 + static_cast<std::int64_t>(i);
        const ShawRows rows = shaw_rows(p, pos, 0, jmax);
        std::fill(w + rows.first, w + rows.last + 1, 0.0f);
        shaw_buckets(p, pos, 0, jmax, s + (i - i0) * jmax, w);
        shaw_output(p, rows, w, k, oi);
      }
    }
  }
  return true;
}

bool head_streaming(const AttentionParams& p, std::int64_t q0, float scale, const HeadData& hd, float* out,
                    std::size_t ldo, float* s, float* acc, float* m, float* l, float* qa, float* w) {
  const std::size_t D = p.head_dim, Lq = p.queries, Lk = p.keys, nw = 2 * p.shaw_max_distance + 1;
  const bool shaw = p.method == PositionMethod::shaw;
  for (std::size_t i0 = 0; i0 < Lq; i0 += stream_queries) {
    const std::size_t i1 = std::min(Lq, i0 + stream_queries), nb = i1 - i0;
    const std::size_t jmax = p.causal ? std::min<std::size_t>(Lk, q0 + i1) : Lk;
    std::fill(acc, acc + nb * D, 0.0f);
    std::fill(m, m + nb, neg_inf);
    std::fill(l, l + nb, 0.0f);
    if (shaw)
      for (std::size_t i = i0; i < i1; ++i) {
        const ShawRows rows = shaw_rows(p, q0 + static_cast<std::int64_t>(i), 0, jmax);
        std::fill(w + (i - i0) * nw + rows.first, w + (i - i0) * nw + rows.last + 1, 0.0f);
      }
    for (std::size_t j0 = 0; j0 < jmax; j0 += stream_keys) {
      const std::size_t j1 = std::min(jmax, j0 + stream_keys), nk = j1 - j0;
      matmul_fast({nb, nk, D, hd.q + i0 * D, D, hd.kt + j0, hd.ldk, s, nk});
      for (std::size_t i = i0; i < i1; ++i) {
        const std::size_t r = i - i0;
        float* row = s + r * nk;
        const std::int64_t pos = q0 + static_cast<std::int64_t>(i);
        const std::int64_t last = p.causal ? std::min<std::int64_t>(pos + 1, static_cast<std::int64_t>(j1)) : j1;
        const std::size_t valid = last > static_cast<std::int64_t>(j0) ? static_cast<std::size_t>(last) - j0 : 0;
        if (valid == 0) {  // every key of this block is after the query
          std::fill(row, row + nk, 0.0f);
          continue;
        }
        if (shaw) shaw_scores(p, hd.q + i * D, pos, j0, j1, row, qa);
        const float* bias = hd.bias ? hd.bias + (Lq - 1 - i) + j0 : nullptr;
        float bmax = neg_inf;
        const float bsum = softmax_row_fast({row, nk, valid, scale, bias, false}, &bmax);
        if (!(std::isfinite(bmax) && std::isfinite(bsum))) return false;  // overflowed logits (as head_plain)
        const float mnew = std::max(m[r], bmax);
        const float alpha = m[r] == neg_inf ? 0.0f : std::exp(m[r] - mnew);  // rescale what came before
        const float beta = std::exp(bmax - mnew);                          // and this block
        for (std::size_t d = 0; d < D; ++d) acc[r * D + d] *= alpha;
        for (std::size_t j = 0; j < nk; ++j) row[j] *= beta;
        if (shaw) {
          const ShawRows before = shaw_rows(p, pos, 0, j0 ? j0 : 1);  // rows earlier blocks filled
          if (j0)
            for (std::size_t c = before.first; c <= before.last; ++c) w[r * nw + c] *= alpha;
          shaw_buckets(p, pos, j0, j1, row, w + r * nw);
        }
        l[r] = l[r] * alpha + bsum * beta;
        m[r] = mnew;
      }
      matmul_fast({nb, D, nk, s, nk, hd.v + j0 * hd.ldv, hd.ldv, acc, D, true});
    }
    for (std::size_t i = i0; i < i1; ++i) {
      const std::size_t r = i - i0;
      const float inv = l[r] > 0 ? 1.0f / l[r] : 0.0f;
      float* o = out + i * ldo;
      for (std::size_t d = 0; d < D; ++d) o[d] = acc[r * D + d] * inv;
      if (shaw) shaw_output(p, shaw_rows(p, q0 + static_cast<std::int64_t>(i), 0, jmax), w + r * nw, inv, o);
    }
  }
  return true;
}

float max_abs(std::span<const float> x) {
  float m = 0.0f;
  for (float e : x) m = std::max(m, std::fabs(e));
  return m;
}

// The error for a call whose logits (logits_overflow) or outputs came out non-finite; only run then.
// Names the input at fault: non-finite data, a T5 table too large to add, an explicit scale that the
// default would not overflow with, or else q and k themselves.
Status overflow_status(const AttentionParams& p, std::span<const float> q, std::span<const float> k,
                       std::span<const float> v, bool logits_overflow) {
  if (!all_finite(q)) return Status::range("q", "must hold finite values");
  if (!all_finite(k)) return Status::range("k", "must hold finite values");
  if (!all_finite(v)) return Status::range("v", "must hold finite values");
  if (!logits_overflow) return Status::range("v", "is too large: the weighted sum of v overflows float32");
  constexpr double float_max = std::numeric_limits<float>::max();
  if (p.method == PositionMethod::t5 && max_abs(p.t5_table) > float_max / 2)
    return Status::range("position.table", "is too large: a logit scale * q.k + table overflows float32");
  const double dot = double(max_abs(q)) * double(max_abs(k)) * double(p.head_dim);
  if (!std::isnan(p.scale) && dot / std::sqrt(double(p.head_dim)) <= float_max / 2)
    return Status::range("scale", "is too large: scale * q.k overflows float32");
  return Status::range("q", "is too large: scale * q.k overflows float32 (the entries of q and k must be far below 1e19)");
}


// Where each scratch buffer lives in the workspace (offsets in floats, each a multiple of 16).
struct ScratchLayout {
  std::size_t qh, kh, kt, vh, rb, s, acc, shw, rot, total;
};

ScratchLayout scratch_layout(const AttentionParams& p) {
  const std::size_t D = p.head_dim, Lq = p.queries, Lk = p.keys, H = p.heads;
  const std::size_t nw = p.method == PositionMethod::shaw ? 2 * p.shaw_max_distance + 1 : 0;
  const std::size_t sq = p.streaming ? stream_queries : query_block;
  // K^T rows are padded so that they are not a power of two apart (rows 4 KiB apart share L1 sets).
  const std::size_t sizes[] = {Lq * D, Lk * D, D * (Lk + 8), Lk * D, relative_bias(p.method) ? H * (Lq + Lk - 1) : 0,
                               p.streaming ? stream_queries * stream_keys : query_block * Lk,
                               p.streaming ? stream_queries * (D + 2) : 0, nw ? nw + sq * nw : 0,
                               // RoPE / xPos: the cos and sin rows of the queries and the keys, shared by every head
                               rotates(p.method) ? 2 * (Lq + Lk) * p.inv_freq.size() : 0};
  constexpr std::size_t n = std::size(sizes);
  std::size_t off[n], total = 0;
  for (std::size_t i = 0; i < n; ++i) {
    off[i] = total;
    total += (sizes[i] + 15) / 16 * 16;
  }
  return {off[0], off[1], off[2], off[3], off[4], off[5], off[6], off[7], off[8], total};
}

}  // namespace

std::size_t attention_workspace_floats(const AttentionParams& p) { return scratch_layout(p).total; }

float attention_scale(const AttentionParams& p) {
  return std::isnan(p.scale) ? static_cast<float>(1.0 / std::sqrt(static_cast<double>(p.head_dim)))
                             : static_cast<float>(p.scale);
}

Status attention(const AttentionParams& p, std::span<const float> q, std::span<const float> k,
                 std::span<const float> v, std::span<float> out, std::span<float> weights, std::span<float> workspace) {
  if (k.size() != v.size()) return Status::range("v", "must have the shape of k");
  if (Status s = check(p, q.size(), k.size(), out.size(), weights.size()); !s.ok()) return s;
  const ScratchLayout lay = scratch_layout(p);
  if (!workspace.empty() && workspace.size() < lay.total)
    return Status::range("workspace", "is smaller than attention_workspace_floats()");
  Owned owned(workspace.empty() ? lay.total : 0);
  float* ws = workspace.empty() ? owned.data() : workspace.data();
  if (ws == nullptr) return Status::range("shape", "out of memory for the attention scratch");
  const std::size_t D = p.head_dim, H = p.heads, Lq = p.queries, Lk = p.keys, row = H * D;
  const std::int64_t q0 = p.query_offset < 0 ? static_cast<std::int64_t>(Lk - Lq) : p.query_offset;
  const float scale = attention_scale(p);
  const bool rotate = rotates(p.method);
  const bool absolute = p.method == PositionMethod::absolute;
  const std::size_t span = Lq + Lk - 1;
  const std::size_t nw = p.method == PositionMethod::shaw ? 2 * p.shaw_max_distance + 1 : 0;
  const std::size_t ldk = Lk + 8;
  float* qh = ws + lay.qh;
  float* kh = ws + lay.kh;
  float* kt = ws + lay.kt;
  float* vh = ws + lay.vh;
  float* rb = ws + lay.rb;

  if (relative_bias(p.method))
    if (Status st = fill_relative_bias(p, q0, rb, span); !st.ok()) return st;

  // xPos: one centre for queries and keys, so q.k scales by zeta^((m - n) / scale_base) exactly.
  RopeApplyParams rq{.seq = Lq, .heads = 1, .head_dim = D, .layout = p.layout, .offset = q0};
  RopeApplyParams rk{.seq = Lk, .heads = 1, .head_dim = D, .layout = p.layout, .offset = 0};
  if (p.method == PositionMethod::xpos) {
    const std::int64_t count = std::max<std::int64_t>(q0 + static_cast<std::int64_t>(Lq), static_cast<std::int64_t>(Lk));
    const double center = static_cast<double>((count + 1) / 2);
    for (RopeApplyParams* r : {&rq, &rk}) {
      r->xpos = true;
      r->xpos_gamma = p.xpos_gamma;
      r->xpos_scale_base = p.xpos_scale_base;
      r->xpos_center = center;
    }
    rk.xpos_key = true;
  }
  // The rotation rows, once for all heads.
  const std::size_t hf = p.inv_freq.size();
  float* qcos = ws + lay.rot;
  float* qsin = qcos + Lq * hf;
  float* kcos = qsin + Lq * hf;
  float* ksin = kcos + Lk * hf;
  if (rotate) {
    if (Status st = rope_apply_check(Lq * D, rq, p.inv_freq, p.attention_factor, {}); !st.ok()) return st;
    if (Status st = rope_apply_check(Lk * D, rk, p.inv_freq, p.attention_factor, {}); !st.ok()) return st;
    rope_rows(rq, p.inv_freq, p.attention_factor, {}, 0, Lq, qcos, qsin);
    rope_rows(rk, p.inv_freq, p.attention_factor, {}, 0, Lk, kcos, ksin);
  }

  float* weights_out = weights.empty() ? nullptr : weights.data();
  bool logits_ok = true;
  for (std::size_t h = 0; h < H; ++h) {
    // Gather this head's q and k (contiguous), add or rotate positions, transpose k.
    for (std::size_t i = 0; i < Lq; ++i) std::memcpy(qh + i * D, q.data() + i * row + h * D, D * sizeof(float));
    for (std::size_t j = 0; j < Lk; ++j) std::memcpy(kh + j * D, k.data() + j * row + h * D, D * sizeof(float));
    // v too is gathered (contiguous rows make P * V's loads cache-friendly).
    for (std::size_t j = 0; j < Lk; ++j) std::memcpy(vh + j * D, v.data() + j * row + h * D, D * sizeof(float));
    if (absolute) {
      for (std::size_t i = 0; i < Lq; ++i)
        for (std::size_t d = 0; d < D; ++d) qh[i * D + d] += p.table[(q0 + i) * D + d];
      for (std::size_t j = 0; j < Lk; ++j)
        for (std::size_t d = 0; d < D; ++d) {
          kh[j * D + d] += p.table[j * D + d];
          vh[j * D + d] += p.table[j * D + d];
        }
    }
    if (rotate) {
      rope_rotate_fast(qh, {Lq, 1, D, 2 * hf, p.layout, false, qcos, qsin, hf});
      rope_rotate_fast(kh, {Lk, 1, D, 2 * hf, p.layout, false, kcos, ksin, hf});
    }
    for (std::size_t j = 0; j < Lk; ++j)
      for (std::size_t d = 0; d < D; ++d) kt[d * ldk + j] = kh[j * D + d];

    const HeadData hd{qh, kt, ldk, vh, D,
                      relative_bias(p.method) ? rb + h * span : nullptr};
    float* qa = ws + lay.shw;
    float* wsum = nw ? qa + nw : nullptr;
    if (p.streaming) {
      float* acc = ws + lay.acc;
      logits_ok = head_streaming(p, q0, scale, hd, out.data() + h * D, row, ws + lay.s, acc, acc + stream_queries * D,
                                 acc + stream_queries * (D + 1), qa, wsum);
    } else {
      logits_ok = head_plain(p, q0, scale, hd, h, out.data() + h * D, row, weights_out, ws + lay.s, qa, wsum);
    }
    if (!logits_ok) break;
  }
  // Overflow is found on the way (a check per row maximum) and in the outputs (one scan): never a
  // silent NaN or infinity. The outputs are zeroed then.
  if (!logits_ok || !all_finite(out)) {
    std::fill(out.begin(), out.end(), 0.0f);
    std::fill(weights.begin(), weights.end(), 0.0f);
    return overflow_status(p, q, k, v, !logits_ok);
  }
  return Status::success();
}

}  // namespace posenc
