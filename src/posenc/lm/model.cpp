// SPDX-License-Identifier: MIT
// posenc: the tiny language model (see model.hpp).
#include "posenc/lm/model.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>

#include "posenc/attention.hpp"
#include "posenc/learned.hpp"
#include "posenc/matmul.hpp"
#include "posenc/simd.hpp"
#include "posenc/sinusoidal.hpp"
#include "posenc/softmax.hpp"
#include "posenc/t5.hpp"

namespace posenc::lm {

namespace {

constexpr std::size_t max_layers = 16;
constexpr float ln_eps = 1e-5f;

// ---------------------------------------------------------------------------------------------
// Memory: malloc'd float arrays, carved from one block per purpose.

struct Block {
  float* data = nullptr;
  std::size_t size = 0;
  // Replace the block by n zeroed floats; on failure the old block stays as it was.
  bool allocate(std::size_t n) {
    float* fresh = n ? static_cast<float*>(std::calloc(n, sizeof(float))) : nullptr;
    if (n && !fresh) return false;
    std::free(data);
    data = fresh;
    size = n;
    return true;
  }
  ~Block() { std::free(data); }
};

// Lays arrays out in one block. Sizes are counted in 64 bits (the products of batch, heads and
// context overflow a 32-bit size_t in WebAssembly); with base == nullptr it only counts.
struct Carver {
  float* base;
  std::uint64_t used = 0;
  float* take(std::uint64_t n) {
    float* p = base ? base + used : nullptr;
    used += (n + 15) / 16 * 16;
    return p;
  }
};

// The most floats one activation block may hold: 2^28 (1 GiB), addressable in 32 bits.
constexpr std::uint64_t max_block_floats =
    std::min<std::uint64_t>(std::numeric_limits<std::size_t>::max() / sizeof(float), std::uint64_t(1) << 28);
// The most parameters a model may have: 2^26 floats (256 MiB per block; four blocks).
constexpr std::uint64_t max_parameters = std::uint64_t(1) << 26;

// Carve a block laid out by `layout(Carver&)`: count, allocate, then point the arrays into it. On
// failure `restore` re-points them into the block they had, which is left untouched.
template <class Layout, class Restore>
bool carve_block(Block& block, Layout layout, Restore restore) {
  Carver count{nullptr};
  layout(count);  // the arrays now point nowhere
  if (count.used > max_block_floats || !block.allocate(std::size_t(count.used))) {
    restore();
    return false;
  }
  Carver cv{block.data};
  layout(cv);
  return true;
}

struct LayerParams {
  std::size_t ln1_g, ln1_b, wq, wk, wv, wo, ln2_g, ln2_b, w1, b1, w2, b2;
};

// A range of parameters with its optimiser settings.
struct Group {
  std::size_t offset, size;
  bool decay;
  bool position;  // learning-rate multiplier applies
};

struct LayerActs {
  float *x, *mean1, *rstd1, *h1, *q, *k, *v, *p, *o, *x2, *mean2, *rstd2, *h2, *u, *g;
};

}  // namespace

struct Model {
  Config cfg;
  std::size_t dh = 0;
  // parameter offsets
  std::size_t tok = 0, pos = 0, t5 = 0, kerple = 0, lnf_g = 0, lnf_b = 0, out = 0, n_params = 0;
  LayerParams layer[max_layers];
  Group groups[max_layers * 12 + 8];
  std::size_t n_groups = 0;
  Block params, grads, adam_m, adam_v;
  std::uint64_t step = 0;

  // training activations (capacity: batch x ctx_cap tokens)
  std::size_t ctx_cap = 0;
  Block acts;
  LayerActs la[max_layers];
  float *xf, *meanf, *rstdf, *hf, *probs;
  float *dx, *dh_, *dq, *dk, *dv, *do_, *du, *tmp, *wt, *pt, *dp, *vt, *rel_grad, *kerple_r;
  float* ws;
  std::size_t ws_floats = 0;

  // evaluation activations (one window at a time; grown on demand)
  std::size_t eval_cap = 0;
  bool eval_streaming = false;
  Block eval;
  float *ex, *eh, *eq, *ek, *ev, *eo, *eu, *elogits, *eet, *ews;
  std::size_t ews_floats = 0;
  std::size_t eval_ws_cap = 0;
  Block eprof;  // for AttentionProfile: T + 1 doubles of prefix sums, then one block of queries' weights
};

namespace {

const float* P(const Model& m, std::size_t off) { return m.params.data + off; }
float* G(Model& m, std::size_t off) { return m.grads.data + off; }

// Y[M x N] = X[M x K] W[K x N] (+ bias), all row-major and contiguous.
void linear(const float* x, std::size_t M, std::size_t K, const float* w, std::size_t N, const float* b, float* y) {
  matmul_fast({M, N, K, x, K, w, N, y, N});
  if (b)
    for (std::size_t i = 0; i < M; ++i)
      for (std::size_t j = 0; j < N; ++j) y[i * N + j] += b[j];
}

// dst[c][r] = src[r][c] for an R x C matrix with row stride ld.
void transpose(const float* src, std::size_t R, std::size_t C, std::size_t ld, float* dst) {
  for (std::size_t r = 0; r < R; ++r)
    for (std::size_t c = 0; c < C; ++c) dst[c * R + r] = src[r * ld + c];
}

// dW[K x N] += X[M x K]^T dY[M x N] (tmp: K * M floats);  db[N] += sum of dY rows.
void linear_backward_weights(const float* x, const float* dy, std::size_t M, std::size_t K, std::size_t N, float* dw,
                             float* db, float* tmp) {
  transpose(x, M, K, K, tmp);
  matmul_fast({K, N, M, tmp, M, dy, N, dw, N, true});  // dW += X^T dY
  if (db)
    for (std::size_t i = 0; i < M; ++i)
      for (std::size_t j = 0; j < N; ++j) db[j] += dy[i * N + j];
}

// dX[M x K] (+)= dY[M x N] W[K x N]^T (wt: N * K floats).
void linear_backward_input(const float* dy, std::size_t M, std::size_t N, const float* w, std::size_t K, float* dx,
                           bool accumulate, float* wt) {
  transpose(w, K, N, N, wt);
  matmul_fast({M, K, N, dy, N, wt, K, dx, K, accumulate});
}

void layernorm(const float* x, std::size_t M, std::size_t d, const float* g, const float* b, float* y, float* mean,
               float* rstd) {
  for (std::size_t i = 0; i < M; ++i) {
    const float* xi = x + i * d;
    double s = 0, ss = 0;
    for (std::size_t j = 0; j < d; ++j) s += xi[j];
    const double mu = s / double(d);
    for (std::size_t j = 0; j < d; ++j) ss += (xi[j] - mu) * (xi[j] - mu);
    const float r = static_cast<float>(1.0 / std::sqrt(ss / double(d) + ln_eps));
    if (mean) mean[i] = static_cast<float>(mu);
    if (rstd) rstd[i] = r;
    for (std::size_t j = 0; j < d; ++j) y[i * d + j] = (xi[j] - float(mu)) * r * g[j] + b[j];
  }
}

// dx (+)= LayerNorm backward of dy; dg, db accumulate.
void layernorm_backward(const float* x, const float* mean, const float* rstd, const float* g, const float* dy,
                        std::size_t M, std::size_t d, float* dx, float* dg, float* db, bool accumulate) {
  for (std::size_t i = 0; i < M; ++i) {
    const float* xi = x + i * d;
    const float* dyi = dy + i * d;
    double s1 = 0, s2 = 0;
    for (std::size_t j = 0; j < d; ++j) {
      const float xhat = (xi[j] - mean[i]) * rstd[i];
      const float dxhat = dyi[j] * g[j];
      dg[j] += dyi[j] * xhat;
      db[j] += dyi[j];
      s1 += dxhat;
      s2 += dxhat * xhat;
    }
    const float m1 = float(s1 / double(d)), m2 = float(s2 / double(d));
    for (std::size_t j = 0; j < d; ++j) {
      const float xhat = (xi[j] - mean[i]) * rstd[i];
      const float v = rstd[i] * (dyi[j] * g[j] - m1 - xhat * m2);
      dx[i * d + j] = accumulate ? dx[i * d + j] + v : v;
    }
  }
}

constexpr float gelu_c = 0.7978845608028654f;  // sqrt(2 / pi)

// tanh(c (u + 0.044715 u^3)) for n values: 1 - 2 / (exp(2z) + 1) with z clamped to [-9, 9] (where
// tanh is within 3e-8 of +-1), vectorised with the library's exp; std::tanh in builds without SIMD.
void gelu_tanh(const float* u, float* t, std::size_t n) {
  std::size_t i = 0;
#if POSENC_HAVE_SIMD
  using B = simd::batch_f32;
  const B c(gelu_c), a(0.044715f), lo(-9.0f), hi(9.0f), one(1.0f), two(2.0f);
  for (; i + B::size <= n; i += B::size) {
    const B x = B::load_unaligned(u + i);
    const B z = xsimd::min(xsimd::max(c * (x + a * x * x * x), lo), hi);
    (one - two / (simd::exp(two * z) + one)).store_unaligned(t + i);
  }
#endif
  for (; i < n; ++i) t[i] = std::tanh(gelu_c * (u[i] + 0.044715f * u[i] * u[i] * u[i]));
}

// g = 0.5 u (1 + t); t kept for the backward pass is recomputed there (cheaper than storing it).
void gelu(const float* u, float* g, std::size_t n, float* t) {
  gelu_tanh(u, t, n);
  for (std::size_t i = 0; i < n; ++i) g[i] = 0.5f * u[i] * (1.0f + t[i]);
}

void gelu_backward(const float* u, const float* dg, float* du, std::size_t n, float* t) {
  gelu_tanh(u, t, n);
  for (std::size_t i = 0; i < n; ++i) {
    const float x = u[i];
    du[i] = dg[i] * (0.5f * (1.0f + t[i]) + 0.5f * x * (1.0f - t[i] * t[i]) * gelu_c * (1.0f + 3.0f * 0.044715f * x * x));
  }
}

double embedding_scale(const Config& c) {
  return c.position == Position::sinusoidal ? std::sqrt(double(c.d_model)) : 1.0;
}

RopeConfig training_rope(const Model& m) {
  return RopeConfig{.head_dim = m.dh, .rope_theta = m.cfg.rope_theta};
}

// The engine's settings for one sequence of T tokens (rope is applied before, by the model).
AttentionParams engine_params(Model& m, std::size_t T, std::size_t layer, bool streaming) {
  AttentionParams p{.queries = T, .keys = T, .heads = m.cfg.heads, .head_dim = m.dh, .query_offset = 0,
                    .causal = true, .streaming = streaming};
  switch (m.cfg.position) {
    case Position::alibi:
      p.method = PositionMethod::alibi;
      break;
    case Position::t5:
      p.method = PositionMethod::t5;
      p.t5 = {.bidirectional = false, .num_buckets = m.cfg.t5_buckets, .max_distance = m.cfg.t5_max_distance};
      p.t5_table = {P(m, m.t5), std::size_t(m.cfg.t5_buckets) * m.cfg.heads};
      break;
    case Position::kerple: {
      p.method = PositionMethod::kerple;
      float* r = m.kerple_r + layer * 2 * m.cfg.heads;  // r1 then r2, exp of the parameters
      const float* theta = P(m, m.kerple) + layer * 2 * m.cfg.heads;
      for (std::size_t i = 0; i < 2 * m.cfg.heads; ++i) r[i] = std::exp(theta[i]);
      p.kerple_r1 = {r, m.cfg.heads};
      p.kerple_r2 = {r + m.cfg.heads, m.cfg.heads};
      break;
    }
    default:
      p.method = PositionMethod::none;
  }
  return p;
}

// Rotate q or k ([batch * T][d] = [batch][T][heads][dh]) for RoPE at positions 0 .. T-1.
Status rotate(Model& m, float* x, std::size_t batch, std::size_t T, std::span<const double> inv, double af,
              bool inverse) {
  const RopeApplyParams rp{.seq = T, .heads = m.cfg.heads, .head_dim = m.dh, .inverse = inverse};
  for (std::size_t b = 0; b < batch; ++b) {
    if (Status s = rope_apply({x + b * T * m.cfg.d_model, T * m.cfg.d_model}, rp, inv, af, {}); !s.ok()) return s;
  }
  return Status::success();
}

// The training frequencies, or `rope`'s scaling (when its rope_type is not default) applied to the
// model's head dimension and theta.
Status rope_frequencies_for(Model& m, const RopeConfig* rope, double* inv, double& af) {
  RopeConfig c = rope && rope->rope_type != RopeType::default_ ? *rope : training_rope(m);
  c.head_dim = m.dh;
  c.rope_theta = m.cfg.rope_theta;
  return rope_frequencies(c, 0, {inv, m.dh / 2}, af);
}

// Point the training activations into `cv` for batch x ctx tokens.
void carve_activations(Model& m, Carver& cv, std::uint64_t ctx, std::uint64_t ws) {
  const Config& c = m.cfg;
  const std::uint64_t B = c.batch, N = B * ctx, d = c.d_model, H = c.heads, mm = c.mlp, V = c.vocab;
  const std::uint64_t wide = std::max({d, mm, V});
  for (std::size_t l = 0; l < c.layers; ++l) {
    LayerActs& a = m.la[l];
    a.x = cv.take(N * d), a.mean1 = cv.take(N), a.rstd1 = cv.take(N), a.h1 = cv.take(N * d);
    a.q = cv.take(N * d), a.k = cv.take(N * d), a.v = cv.take(N * d), a.p = cv.take(B * H * ctx * ctx);
    a.o = cv.take(N * d), a.x2 = cv.take(N * d), a.mean2 = cv.take(N), a.rstd2 = cv.take(N), a.h2 = cv.take(N * d);
    a.u = cv.take(N * mm), a.g = cv.take(N * mm);
  }
  m.xf = cv.take(N * d), m.meanf = cv.take(N), m.rstdf = cv.take(N), m.hf = cv.take(N * d), m.probs = cv.take(N * V);
  m.dx = cv.take(N * d), m.dh_ = cv.take(N * d), m.dq = cv.take(N * d), m.dk = cv.take(N * d), m.dv = cv.take(N * d);
  m.do_ = cv.take(N * d), m.du = cv.take(N * mm), m.tmp = cv.take(wide * N), m.wt = cv.take(wide * wide);
  m.pt = cv.take(ctx * ctx), m.dp = cv.take(ctx * ctx), m.vt = cv.take(m.dh * ctx);
  m.rel_grad = cv.take(H * (2 * ctx - 1)), m.kerple_r = cv.take(c.layers * 2 * H);
  m.ws = cv.take(ws);
}

AttentionParams training_attention(const Model& m, std::size_t ctx) {
  return {.queries = ctx, .keys = ctx, .heads = m.cfg.heads, .head_dim = m.dh, .causal = true,
          .method = m.cfg.position == Position::t5 ? PositionMethod::t5 : PositionMethod::alibi};
}

Status layout_activations(Model& m, std::size_t ctx) {
  const std::size_t ws = attention_workspace_floats(training_attention(m, ctx));
  const std::size_t old_ctx = m.ctx_cap, old_ws = m.ws_floats;
  if (!carve_block(
          m.acts, [&](Carver& cv) { carve_activations(m, cv, ctx, ws); },
          [&] {
            Carver cv{m.acts.data};
            carve_activations(m, cv, old_ctx, old_ws);
          }))
    return Status::range("context", "out of memory for the activations");
  m.ws_floats = ws;
  m.ctx_cap = ctx;
  return Status::success();
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Creation.

Status model_create(const Config& c, Model** out) {
  *out = nullptr;
  if (c.vocab < 2 || c.vocab > 65536) return Status::range("vocab", "must be in [2, 65536]");
  if (c.d_model < 2 || c.d_model > 4096) return Status::range("dModel", "must be in [2, 4096]");
  if (c.layers < 1 || c.layers > max_layers) return Status::range("layers", "must be in [1, 16]");
  if (c.heads < 1 || c.d_model % c.heads != 0) return Status::range("heads", "must divide dModel");
  if ((c.d_model / c.heads) % 2 != 0 && c.position == Position::rope)
    return Status::range("heads", "RoPE needs an even head dimension");
  if (c.mlp < 1 || c.mlp > 65536) return Status::range("mlp", "must be in [1, 65536]");
  if (c.context < 2 || c.context > 8192) return Status::range("context", "must be in [2, 8192]");
  if (c.batch < 1 || c.batch > 4096) return Status::range("batch", "must be in [1, 4096]");
  if (int(c.position) < 0 || int(c.position) > 6) return Status::type("position", "unknown position method");
  if (c.position == Position::rope && !(std::isfinite(c.rope_theta) && c.rope_theta > 1))
    return Status::range("ropeTheta", "must be a finite number > 1");
  if (c.position == Position::t5 &&
      !t5_bucket_check({.bidirectional = false, .num_buckets = c.t5_buckets, .max_distance = c.t5_max_distance}).ok())
    return Status::range("t5MaxDistance", "t5Buckets must be in [2, 65536] and t5MaxDistance greater than t5Buckets / 2");

  // The parameter layout, counted in 64 bits before anything is allocated: in WebAssembly size_t is
  // 32 bits, and sizes inside the ranges above (vocab 2, 16 layers, dModel 4096, mlp 24571) give 2^32 + 81,840.
  const std::uint64_t d = c.d_model, H = c.heads, V = c.vocab, mm = c.mlp, layers = c.layers;
  const std::uint64_t per_layer = 4 * d + 4 * d * d + 2 * d * mm + mm + d;
  const std::uint64_t total = V * d + (c.position == Position::learned ? std::uint64_t(c.context) * d : 0) +
                              layers * per_layer + (c.position == Position::t5 ? std::uint64_t(c.t5_buckets) * H : 0) +
                              (c.position == Position::kerple ? layers * 2 * H : 0) + 2 * d + (c.tied ? 0 : d * V);
  if (total > max_parameters)
    return Status::range("dModel", "with vocab, layers and mlp gives more than 2^26 parameters (256 MiB each for "
                                   "the weights, gradients and two AdamW moments)");

  Model* m = new (std::nothrow) Model();
  if (!m) return Status::range("dModel", "out of memory");
  m->cfg = c;
  m->dh = c.d_model / c.heads;
  std::size_t off = 0;  // no wrap: the total was checked above
  auto add = [&](std::uint64_t n, bool decay, bool position) {
    const std::size_t at = off;
    m->groups[m->n_groups++] = {at, std::size_t(n), decay, position};
    off += std::size_t(n);
    return at;
  };
  m->tok = add(V * d, true, false);
  m->pos = c.position == Position::learned ? add(c.context * d, true, false) : 0;
  for (std::size_t l = 0; l < c.layers; ++l) {
    LayerParams& p = m->layer[l];
    p.ln1_g = add(d, false, false), p.ln1_b = add(d, false, false);
    p.wq = add(d * d, true, false), p.wk = add(d * d, true, false), p.wv = add(d * d, true, false);
    p.wo = add(d * d, true, false);
    p.ln2_g = add(d, false, false), p.ln2_b = add(d, false, false);
    p.w1 = add(d * mm, true, false), p.b1 = add(mm, false, false), p.w2 = add(mm * d, true, false);
    p.b2 = add(d, false, false);
  }
  m->t5 = c.position == Position::t5 ? add(std::uint64_t(c.t5_buckets) * H, false, true) : 0;
  m->kerple = c.position == Position::kerple ? add(layers * 2 * H, false, true) : 0;
  m->lnf_g = add(d, false, false), m->lnf_b = add(d, false, false);
  m->out = c.tied ? 0 : add(d * V, true, false);
  m->n_params = off;
  if (std::uint64_t(off) != total) {  // the count above and the layout must agree
    delete m;
    return Status::range("dModel", "internal: parameter layout mismatch");
  }
  if (!m->params.allocate(off) || !m->grads.allocate(off) || !m->adam_m.allocate(off) || !m->adam_v.allocate(off)) {
    delete m;
    return Status::range("dModel", "out of memory for the parameters");
  }

  // Initialisation.
  std::uint64_t seed = c.seed;
  // Sizes fit in size_t here: their total was checked against max_parameters above.
  auto normal = [&](std::size_t at, std::uint64_t rows, std::uint64_t cols, double std) {
    (void)learned_init({.max_positions = std::size_t(rows), .dim = std::size_t(cols)}, {.seed = seed++, .std = std},
                       {m->params.data + at, std::size_t(rows * cols)});
  };
  const double residual = 0.02 / std::sqrt(2.0 * double(c.layers));
  normal(m->tok, V, d, c.position == Position::sinusoidal ? 1.0 / std::sqrt(double(d)) : 0.02);
  if (c.position == Position::learned) normal(m->pos, c.context, d, 0.02);
  for (std::size_t l = 0; l < c.layers; ++l) {
    const LayerParams& p = m->layer[l];
    std::fill(m->params.data + p.ln1_g, m->params.data + p.ln1_g + d, 1.0f);
    std::fill(m->params.data + p.ln2_g, m->params.data + p.ln2_g + d, 1.0f);
    normal(p.wq, d, d, 0.02), normal(p.wk, d, d, 0.02), normal(p.wv, d, d, 0.02), normal(p.wo, d, d, residual);
    normal(p.w1, d, mm, 0.02), normal(p.w2, mm, d, residual);
  }
  std::fill(m->params.data + m->lnf_g, m->params.data + m->lnf_g + d, 1.0f);
  if (!c.tied) normal(m->out, d, V, 0.02);
  // T5 table: 0; KERPLE log r1 = log r2 = 0 (r1 = r2 = 1): already zero.

  if (Status s = layout_activations(*m, c.context); !s.ok()) {
    delete m;
    return s;
  }
  *out = m;
  return Status::success();
}

void model_destroy(Model* m) { delete m; }
const Config& model_config(const Model* m) { return m->cfg; }
std::size_t model_parameter_count(const Model* m) { return m->n_params; }
std::span<float> model_parameters(Model* m) { return {m->params.data, m->n_params}; }
std::span<float> model_gradients(Model* m) { return {m->grads.data, m->n_params}; }

Status model_reserve_context(Model* m, std::size_t ctx) {
  if (ctx < 2 || ctx > 8192) return Status::range("context", "must be in [2, 8192]");
  if (m->cfg.position == Position::learned && ctx > m->cfg.context)
    return Status::range("context", "a learned position table has no rows past the training context");
  if (ctx <= m->ctx_cap) return Status::success();
  return layout_activations(*m, ctx);
}

// ---------------------------------------------------------------------------------------------
// Training forward and backward.

Status model_loss_and_gradients(Model* mp, std::span<const std::int32_t> tokens, std::size_t B, std::size_t T,
                                const RopeConfig* rope, double* loss, std::size_t normalizer) {
  Model& m = *mp;
  const Config& c = m.cfg;
  const std::size_t d = c.d_model, H = c.heads, dh = m.dh, V = c.vocab, mm = c.mlp;
  if (B < 1 || B > c.batch) return Status::range("batch", "must be in [1, Config::batch]");
  if (T < 2 || T > m.ctx_cap) return Status::range("context", "exceeds the reserved context (model_reserve_context)");
  if (c.position == Position::learned && T > c.context) return Status::range("context", "past the learned table");
  if (tokens.size() != B * (T + 1)) return Status::range("tokens", "must hold batch * (context + 1) ids");
  for (std::int32_t t : tokens)
    if (t < 0 || std::size_t(t) >= V) return Status::range("tokens", "ids must be in [0, vocab)");
  const std::size_t N = B * T;
  double inv_freq[2048];
  double af = 1.0;
  if (c.position == Position::rope)
    if (Status s = rope_frequencies_for(m, rope, inv_freq, af); !s.ok()) return s;
  const std::span<const double> inv(inv_freq, dh / 2);

  // Embeddings.
  float* x = m.la[0].x;
  const float scale_e = static_cast<float>(embedding_scale(c));
  for (std::size_t b = 0; b < B; ++b)
    for (std::size_t t = 0; t < T; ++t) {
      const float* e = P(m, m.tok) + std::size_t(tokens[b * (T + 1) + t]) * d;
      float* xi = x + (b * T + t) * d;
      for (std::size_t j = 0; j < d; ++j) xi[j] = e[j] * scale_e;
    }
  if (c.position == Position::learned) {
    for (std::size_t b = 0; b < B; ++b)
      for (std::size_t t = 0; t < T; ++t)
        for (std::size_t j = 0; j < d; ++j) x[(b * T + t) * d + j] += P(m, m.pos)[t * d + j];
  } else if (c.position == Position::sinusoidal) {
    // One table row per position, added to every sequence (the table is written into `tmp`).
    if (Status s = sinusoidal_table({.length = T, .dim = d}, {m.tmp, T * d}); !s.ok()) return s;
    for (std::size_t b = 0; b < B; ++b)
      for (std::size_t i = 0; i < T * d; ++i) x[b * T * d + i] += m.tmp[i];
  }

  // Layers.
  for (std::size_t l = 0; l < c.layers; ++l) {
    LayerActs& a = m.la[l];
    const LayerParams& p = m.layer[l];
    layernorm(a.x, N, d, P(m, p.ln1_g), P(m, p.ln1_b), a.h1, a.mean1, a.rstd1);
    linear(a.h1, N, d, P(m, p.wq), d, nullptr, a.q);
    linear(a.h1, N, d, P(m, p.wk), d, nullptr, a.k);
    linear(a.h1, N, d, P(m, p.wv), d, nullptr, a.v);
    if (c.position == Position::rope) {
      if (Status s = rotate(m, a.q, B, T, inv, af, false); !s.ok()) return s;
      if (Status s = rotate(m, a.k, B, T, inv, af, false); !s.ok()) return s;
    }
    const AttentionParams ap = engine_params(m, T, l, false);
    for (std::size_t b = 0; b < B; ++b) {
      const std::size_t o = b * T * d;
      if (Status s = attention(ap, {a.q + o, T * d}, {a.k + o, T * d}, {a.v + o, T * d}, {a.o + o, T * d},
                               {a.p + b * H * T * T, H * T * T}, {m.ws, m.ws_floats});
          !s.ok())
        return s;
    }
    linear(a.o, N, d, P(m, p.wo), d, nullptr, a.x2);
    for (std::size_t i = 0; i < N * d; ++i) a.x2[i] += a.x[i];
    layernorm(a.x2, N, d, P(m, p.ln2_g), P(m, p.ln2_b), a.h2, a.mean2, a.rstd2);
    linear(a.h2, N, d, P(m, p.w1), mm, P(m, p.b1), a.u);
    gelu(a.u, a.g, N * mm, m.tmp);
    float* next = l + 1 < c.layers ? m.la[l + 1].x : m.xf;
    linear(a.g, N, mm, P(m, p.w2), d, P(m, p.b2), next);
    for (std::size_t i = 0; i < N * d; ++i) next[i] += a.x2[i];
  }

  // Output and loss.
  layernorm(m.xf, N, d, P(m, m.lnf_g), P(m, m.lnf_b), m.hf, m.meanf, m.rstdf);
  if (c.tied) {
    transpose(P(m, m.tok), V, d, d, m.wt);  // E^T [d][V]
    linear(m.hf, N, d, m.wt, V, nullptr, m.probs);
  } else {
    linear(m.hf, N, d, P(m, m.out), V, nullptr, m.probs);
  }
  double total = 0;
  const std::size_t norm = normalizer ? normalizer : N;
  const float inv_n = 1.0f / float(norm);
  for (std::size_t b = 0; b < B; ++b)
    for (std::size_t t = 0; t < T; ++t) {
      float* row = m.probs + (b * T + t) * V;
      softmax_row_fast({row, V, V, 1.0f, nullptr}, nullptr);
      const std::int32_t target = tokens[b * (T + 1) + t + 1];
      total -= std::log(std::max(double(row[target]), 1e-30));
      for (std::size_t j = 0; j < V; ++j) row[j] *= inv_n;  // dlogits = (p - onehot) / normalizer
      row[target] -= inv_n;
    }
  *loss = total / double(norm);

  // Backward.
  std::memset(m.grads.data, 0, m.n_params * sizeof(float));
  float* dlogits = m.probs;
  float* dx = m.dx;
  if (c.tied) {
    // logits = hf E^T:  dE += dlogits^T hf,  dhf = dlogits E
    transpose(dlogits, N, V, V, m.tmp);
    matmul_fast({V, d, N, m.tmp, N, m.hf, d, G(m, m.tok), d, true});
    matmul_fast({N, d, V, dlogits, V, P(m, m.tok), d, m.dh_, d});
  } else {
    linear_backward_weights(m.hf, dlogits, N, d, V, G(m, m.out), nullptr, m.tmp);
    linear_backward_input(dlogits, N, V, P(m, m.out), d, m.dh_, false, m.wt);
  }
  layernorm_backward(m.xf, m.meanf, m.rstdf, P(m, m.lnf_g), m.dh_, N, d, dx, G(m, m.lnf_g), G(m, m.lnf_b), false);

  for (std::size_t l = c.layers; l-- > 0;) {
    LayerActs& a = m.la[l];
    const LayerParams& p = m.layer[l];
    // MLP: next = x2 + gelu(h2 W1 + b1) W2 + b2
    linear_backward_weights(a.g, dx, N, mm, d, G(m, p.w2), G(m, p.b2), m.tmp);
    linear_backward_input(dx, N, d, P(m, p.w2), mm, m.du, false, m.wt);
    gelu_backward(a.u, m.du, m.du, N * mm, m.tmp);
    linear_backward_weights(a.h2, m.du, N, d, mm, G(m, p.w1), G(m, p.b1), m.tmp);
    linear_backward_input(m.du, N, mm, P(m, p.w1), d, m.dh_, false, m.wt);
    layernorm_backward(a.x2, a.mean2, a.rstd2, P(m, p.ln2_g), m.dh_, N, d, dx, G(m, p.ln2_g), G(m, p.ln2_b), true);
    // Attention: x2 = x + o Wo
    linear_backward_weights(a.o, dx, N, d, d, G(m, p.wo), nullptr, m.tmp);
    linear_backward_input(dx, N, d, P(m, p.wo), d, m.do_, false, m.wt);
    const float scale = attention_scale({.head_dim = dh});  // the forward's (engine default) scale
    const std::size_t R = 2 * T - 1;  // relative distances -(T-1) .. T-1
    // The bias gradient by distance, for the methods whose bias is learned.
    const bool learned_bias = c.position == Position::t5 || c.position == Position::kerple;
    if (learned_bias) std::fill(m.rel_grad, m.rel_grad + H * R, 0.0f);
    for (std::size_t b = 0; b < B; ++b) {
      const std::size_t base = b * T * d;
      for (std::size_t h = 0; h < H; ++h) {
        const float* Pm = a.p + (b * H + h) * T * T;
        const std::size_t col = base + h * dh;
        // dV = P^T dO
        transpose(Pm, T, T, T, m.pt);
        matmul_fast({T, dh, T, m.pt, T, m.do_ + col, d, m.dv + col, d});
        // dP = dO V^T
        transpose(a.v + col, T, dh, d, m.vt);
        matmul_fast({T, T, dh, m.do_ + col, d, m.vt, T, m.dp, T});
        // dz = P (dP - sum_j P dP), in place in dp; accumulate the bias gradient by distance
        for (std::size_t i = 0; i < T; ++i) {
          float* dpi = m.dp + i * T;
          const float* pi = Pm + i * T;
          double dot = 0;
          for (std::size_t j = 0; j <= i; ++j) dot += double(dpi[j]) * pi[j];
          for (std::size_t j = 0; j < T; ++j) dpi[j] = j <= i ? pi[j] * (dpi[j] - float(dot)) : 0.0f;
          if (!learned_bias) continue;
          float* rg = m.rel_grad + h * R + (T - 1) - i;  // index (T - 1) + (j - i)
          for (std::size_t j = 0; j <= i; ++j) rg[j] += dpi[j];
        }
        // dQ = scale dz K,  dK = scale dz^T Q
        matmul_fast({T, dh, T, m.dp, T, a.k + col, d, m.dq + col, d});
        transpose(m.dp, T, T, T, m.pt);
        matmul_fast({T, dh, T, m.pt, T, a.q + col, d, m.dk + col, d});
      }
    }
    for (std::size_t i = 0; i < N * d; ++i) {
      m.dq[i] *= scale;
      m.dk[i] *= scale;
    }
    if (c.position == Position::rope) {  // q = R q0: dq0 = R^T dq (the inverse rotation, factor 1/af)
      if (Status s = rotate(m, m.dq, B, T, inv, 1.0 / af, true); !s.ok()) return s;
      if (Status s = rotate(m, m.dk, B, T, inv, 1.0 / af, true); !s.ok()) return s;
    }
    if (c.position == Position::t5) {
      const T5BucketParams tb{.bidirectional = false, .num_buckets = c.t5_buckets, .max_distance = c.t5_max_distance};
      for (std::size_t r = 0; r < R; ++r) {
        const std::int32_t bucket = t5_bucket(std::int64_t(r) - std::int64_t(T - 1), tb);
        for (std::size_t h = 0; h < H; ++h) G(m, m.t5)[std::size_t(bucket) * H + h] += m.rel_grad[h * R + r];
      }
    } else if (c.position == Position::kerple) {
      const float* r1 = m.kerple_r + l * 2 * H;
      const float* r2 = r1 + H;
      float* g1 = G(m, m.kerple) + l * 2 * H;
      float* g2 = g1 + H;
      for (std::size_t h = 0; h < H; ++h)
        for (std::size_t r = 0; r < R; ++r) {
          const double dist = std::abs(double(r) - double(T - 1)), gr = m.rel_grad[h * R + r];
          const double lg = std::log1p(double(r2[h]) * dist);
          g1[h] += float(gr * -double(r1[h]) * lg);                                            // d/d log r1
          g2[h] += float(gr * -double(r1[h]) * double(r2[h]) * dist / (1.0 + double(r2[h]) * dist));  // d/d log r2
        }
    }
    transpose(a.h1, N, d, d, m.tmp);  // h1^T once for the three projections: dW += h1^T dY
    matmul_fast({d, d, N, m.tmp, N, m.dq, d, G(m, p.wq), d, true});
    matmul_fast({d, d, N, m.tmp, N, m.dk, d, G(m, p.wk), d, true});
    matmul_fast({d, d, N, m.tmp, N, m.dv, d, G(m, p.wv), d, true});
    linear_backward_input(m.dq, N, d, P(m, p.wq), d, m.dh_, false, m.wt);
    linear_backward_input(m.dk, N, d, P(m, p.wk), d, m.dh_, true, m.wt);
    linear_backward_input(m.dv, N, d, P(m, p.wv), d, m.dh_, true, m.wt);
    layernorm_backward(a.x, a.mean1, a.rstd1, P(m, p.ln1_g), m.dh_, N, d, dx, G(m, p.ln1_g), G(m, p.ln1_b), true);
  }

  // Embeddings.
  for (std::size_t b = 0; b < B; ++b)
    for (std::size_t t = 0; t < T; ++t) {
      float* ge = G(m, m.tok) + std::size_t(tokens[b * (T + 1) + t]) * d;
      const float* dxi = dx + (b * T + t) * d;
      for (std::size_t j = 0; j < d; ++j) ge[j] += scale_e * dxi[j];
      if (c.position == Position::learned)
        for (std::size_t j = 0; j < d; ++j) G(m, m.pos)[t * d + j] += dxi[j];
    }
  return Status::success();
}

double model_adamw_step(Model* mp, const Optimizer& opt, double lr) {
  Model& m = *mp;
  double norm2 = 0;
  for (std::size_t i = 0; i < m.n_params; ++i) norm2 += double(m.grads.data[i]) * m.grads.data[i];
  const double norm = std::sqrt(norm2);
  const double clip = opt.clip > 0 && norm > opt.clip ? opt.clip / norm : 1.0;
  ++m.step;
  const double bc1 = 1.0 - std::pow(opt.beta1, double(m.step)), bc2 = 1.0 - std::pow(opt.beta2, double(m.step));
  for (std::size_t gi = 0; gi < m.n_groups; ++gi) {
    const Group& g = m.groups[gi];
    const double glr = lr * (g.position ? opt.position_lr_mult : 1.0);
    const float b1 = float(opt.beta1), b2 = float(opt.beta2);
    for (std::size_t i = g.offset; i < g.offset + g.size; ++i) {
      const float grad = float(m.grads.data[i] * clip);
      float& mo = m.adam_m.data[i];
      float& vo = m.adam_v.data[i];
      mo = b1 * mo + (1 - b1) * grad;
      vo = b2 * vo + (1 - b2) * grad * grad;
      const double update = (double(mo) / bc1) / (std::sqrt(double(vo) / bc2) + opt.eps);
      double w = m.params.data[i];
      if (g.decay) w -= glr * opt.weight_decay * w;
      m.params.data[i] = float(w - glr * update);
    }
  }
  return norm;
}

// ---------------------------------------------------------------------------------------------
// Evaluation (forward only, one window at a time, through the attention engine).

namespace {

// Queries per engine call when the attention weights are read for an AttentionProfile.
constexpr std::size_t profile_block = 32;

// The attention shapes evaluation uses for a window of T tokens (the workspace must fit them all).
std::size_t eval_workspace_floats(Model& m, std::size_t T, const EvalOptions& opt, bool profile) {
  AttentionParams p = engine_params(m, T, 0, opt.streaming);
  std::size_t ws = attention_workspace_floats(p);
  if (opt.window > 0 && opt.window < T) {
    p.streaming = false;
    p.queries = p.keys = opt.window;  // the first `window` queries in one call
    ws = std::max(ws, attention_workspace_floats(p));
    p.queries = profile_block, p.keys = opt.window + profile_block - 1;  // then blocks of queries
    ws = std::max(ws, attention_workspace_floats(p));
    p.queries = 1, p.keys = opt.window;  // a row whose band holds too little weight: alone
    ws = std::max(ws, attention_workspace_floats(p));
  }
  if (profile) {
    p.queries = std::min(profile_block, T), p.keys = T, p.streaming = false;
    ws = std::max(ws, attention_workspace_floats(p));
  }
  return ws;
}

// Add the share of each row of `w` ([heads][q][keys], queries at positions s .. s + q - 1, keys at
// 0 .. keys - 1) beyond each distance to prof.beyond for layer l. `prefix`: keys + 1 doubles.
void profile_add(AttentionProfile& prof, const float* w, std::size_t l, std::size_t heads, std::size_t s,
                 std::size_t q, std::size_t keys, double* prefix) {
  const std::size_t nd = prof.distances.size();
  for (std::size_t h = 0; h < heads; ++h) {
    double* out = prof.beyond.data() + (l * heads + h) * nd;
    for (std::size_t r = 0; r < q; ++r) {
      const float* row = w + (h * q + r) * keys;
      const std::size_t i = s + r;
      prefix[0] = 0;  // prefix[n] = sum of row[0 .. n - 1]
      for (std::size_t j = 0; j <= i; ++j) prefix[j + 1] = prefix[j] + row[j];
      for (std::size_t k = 0; k < nd; ++k)  // keys j < i - d
        if (prof.distances[k] < i) out[k] += prefix[i - prof.distances[k]];
    }
  }
}

// One layer's attention for evaluation: q, k, v in m.eq, m.ek, m.ev (T rows), output to m.eo.
//   full     one call (causal).
//   band     (opt.window = C < T) query i sees keys i - C < j <= i. The first C queries see every key
//            before them: one call. Then blocks of 32 queries [s, s + 32), each one call on keys
//            s - C + 1 .. s + 31 (the engine's biases depend on j - p_i only, so a shifted key range
//            gives the same logits), its weights read back: a softmax restricted to a subset of
//            keys is the full softmax renormalised over the subset, so each row keeps its band,
//            is divided by the band's total, and out = weights * V. A row whose band holds less
//            than 1e-30 of the weight (too few bits left to renormalise) is computed alone, on its
//            C keys.
//   profile  blocks of 32 queries on all keys before them, weights read back into the profile.
Status eval_attention(Model& m, std::size_t T, std::size_t l, const EvalOptions& opt, std::span<float> ws,
                      AttentionProfile* prof) {
  const std::size_t d = m.cfg.d_model, H = m.cfg.heads, dh = m.dh;
  AttentionParams ap = engine_params(m, T, l, opt.streaming);
  const std::size_t C = opt.window;
  // After the profile's prefix doubles; the buffer exists only when a band or a profile needs it
  // (no pointer arithmetic on null otherwise).
  float* const weights = m.eprof.data ? m.eprof.data + 2 * (T + 1) : nullptr;
  if (prof) {
    ap.streaming = false;
    for (std::size_t s = 0; s < T; s += profile_block) {
      const std::size_t q = std::min(profile_block, T - s), keys = s + q;
      ap.queries = q, ap.keys = keys, ap.query_offset = std::int64_t(s);
      if (Status st = attention(ap, {m.eq + s * d, q * d}, {m.ek, keys * d}, {m.ev, keys * d}, {m.eo + s * d, q * d},
                                {weights, H * q * keys}, ws);
          !st.ok())
        return st;
      profile_add(*prof, weights, l, H, s, q, keys, reinterpret_cast<double*>(m.eprof.data));
    }
    return Status::success();
  }
  if (C == 0 || C >= T) return attention(ap, {m.eq, T * d}, {m.ek, T * d}, {m.ev, T * d}, {m.eo, T * d}, {}, ws);
  ap.streaming = false;
  ap.queries = ap.keys = C, ap.query_offset = 0;
  if (Status st = attention(ap, {m.eq, C * d}, {m.ek, C * d}, {m.ev, C * d}, {m.eo, C * d}, {}, ws); !st.ok())
    return st;
  for (std::size_t s = C; s < T; s += profile_block) {
    const std::size_t q = std::min(profile_block, T - s), keys = C + q - 1, k0 = s + 1 - C;
    ap.queries = q, ap.keys = keys, ap.query_offset = std::int64_t(C - 1);
    if (Status st = attention(ap, {m.eq + s * d, q * d}, {m.ek + k0 * d, keys * d}, {m.ev + k0 * d, keys * d},
                              {m.eo + s * d, q * d}, {weights, H * q * keys}, ws);
        !st.ok())
      return st;
    for (std::size_t h = 0; h < H; ++h) {
      float* w = weights + h * q * keys;
      bool alone[profile_block] = {};
      for (std::size_t r = 0; r < q; ++r) {  // query s + r: keys r .. r + C - 1 of the span
        float* row = w + r * keys;
        double band = 0;
        for (std::size_t j = r; j < r + C; ++j) band += row[j];
        const bool ok = band >= 1e-30;  // else too little weight left to renormalise
        alone[r] = !ok;
        const float inv = ok ? float(1.0 / band) : 0.0f;
        std::fill(row, row + r, 0.0f);  // keys past the band (those after the query are 0 already)
        for (std::size_t j = r; j < r + C; ++j) row[j] *= inv;
      }
      // out = band weights * V for the block's rows of this head.
      matmul_fast({q, dh, keys, w, keys, m.ev + k0 * d + h * dh, d, m.eo + s * d + h * dh, d});
      for (std::size_t r = 0; r < q; ++r) {
        if (!alone[r]) continue;
        // This query alone on its C keys (every head computed; this head's output kept).
        AttentionParams one = ap;
        one.queries = 1, one.keys = C;
        const std::size_t i = s + r, kk = (i + 1 - C) * d;
        float tmp[4096];  // one output row (d_model <= 4096)
        if (Status st = attention(one, {m.eq + i * d, d}, {m.ek + kk, C * d}, {m.ev + kk, C * d}, {tmp, d}, {}, ws);
            !st.ok())
          return st;
        std::memcpy(m.eo + i * d + h * dh, tmp + h * dh, dh * sizeof(float));
      }
    }
  }
  return Status::success();
}

}  // namespace

MemoryUse model_memory(const Model* m) {
  const std::uint64_t p = std::uint64_t(m->n_params) * sizeof(float);
  return {.parameter_bytes = p, .optimizer_bytes = 2 * p, .gradient_bytes = p,
          .activation_bytes = std::uint64_t(m->acts.size) * sizeof(float)};
}

Status model_evaluate(Model* mp, std::span<const std::int32_t> tokens, std::size_t S, std::size_t T,
                      const EvalOptions& opt, double* nll_sum, std::size_t* count, AttentionProfile* profile) {
  Model& m = *mp;
  const Config& c = m.cfg;
  const std::size_t d = c.d_model, dh = m.dh, V = c.vocab, mm = c.mlp;
  if (T < 1 || T > (std::size_t(1) << 16)) return Status::range("length", "must be in [1, 65536]");
  if (c.position == Position::learned && T > c.context)
    return Status::range("length", "exceeds the learned table: a learned absolute table has no row for these positions");
  if (tokens.size() != S * (T + 1)) return Status::range("tokens", "must hold sequences * (length + 1) ids");
  for (std::int32_t t : tokens)
    if (t < 0 || std::size_t(t) >= V) return Status::range("tokens", "ids must be in [0, vocab)");
  if (profile) {
    if (opt.window != 0) return Status::range("window", "an attention profile reads the full attention (window 0)");
    if (profile->beyond.size() != c.layers * c.heads * profile->distances.size())
      return Status::range("distances", "the profile must hold layers * heads * distances sums");
  }
  if (profile || (opt.window > 0 && opt.window < T)) {
    // The weights of one block of queries (and, for a profile, T + 1 doubles of prefix sums first).
    const std::uint64_t keys = profile ? T : opt.window + profile_block - 1;
    const std::uint64_t need = std::uint64_t(c.heads) * std::min(profile_block, T) * keys + 2 * (T + 1);
    if (need > m.eprof.size && (need > max_block_floats || !m.eprof.allocate(std::size_t(need))))
      return Status::range("length", "out of memory for the attention weights");
  }
  double inv_freq[2048];
  double af = 1.0;
  if (c.position == Position::rope)
    if (Status s = rope_frequencies_for(m, &opt.rope, inv_freq, af); !s.ok()) return s;
  const std::span<const double> inv(inv_freq, dh / 2);

  const std::size_t ws = eval_workspace_floats(m, T, opt, profile != nullptr);
  if (T > m.eval_cap || ws > m.eval_ws_cap) {
    const auto layout = [&m, d, wide = std::uint64_t(std::max(mm, V)), V](Carver& cv, std::uint64_t T, std::uint64_t ws) {
      m.ex = cv.take(T * d), m.eh = cv.take(T * d), m.eq = cv.take(T * d), m.ek = cv.take(T * d);
      m.ev = cv.take(T * d), m.eo = cv.take(T * d), m.eu = cv.take(T * wide), m.elogits = cv.take(T * wide);
      m.eet = cv.take(std::uint64_t(d) * V);
      m.ews = cv.take(ws);
    };
    const std::size_t new_T = std::max(T, m.eval_cap), new_ws = std::max(ws, m.eval_ws_cap);
    if (!carve_block(
            m.eval, [&](Carver& cv) { layout(cv, new_T, new_ws); },
            [&] {
              Carver cv{m.eval.data};
              layout(cv, m.eval_cap, m.eval_ws_cap);
            }))
      return Status::range("length", "out of memory for the evaluation");
    m.eval_cap = new_T;
    m.eval_ws_cap = new_ws;
  }
  double total = 0;
  const float scale_e = static_cast<float>(embedding_scale(c));
  for (std::size_t s = 0; s < S; ++s) {
    const std::int32_t* tk = tokens.data() + s * (T + 1);
    for (std::size_t t = 0; t < T; ++t)
      for (std::size_t j = 0; j < d; ++j) m.ex[t * d + j] = P(m, m.tok)[std::size_t(tk[t]) * d + j] * scale_e;
    if (c.position == Position::learned) {
      for (std::size_t i = 0; i < T * d; ++i) m.ex[i] += P(m, m.pos)[i];
    } else if (c.position == Position::sinusoidal) {
      if (Status st = sinusoidal_table({.length = T, .dim = d}, {m.eo, T * d}); !st.ok()) return st;
      for (std::size_t i = 0; i < T * d; ++i) m.ex[i] += m.eo[i];
    }
    for (std::size_t l = 0; l < c.layers; ++l) {
      const LayerParams& p = m.layer[l];
      layernorm(m.ex, T, d, P(m, p.ln1_g), P(m, p.ln1_b), m.eh, nullptr, nullptr);
      linear(m.eh, T, d, P(m, p.wq), d, nullptr, m.eq);
      linear(m.eh, T, d, P(m, p.wk), d, nullptr, m.ek);
      linear(m.eh, T, d, P(m, p.wv), d, nullptr, m.ev);
      if (c.position == Position::rope) {
        if (Status st = rotate(m, m.eq, 1, T, inv, af, false); !st.ok()) return st;
        if (Status st = rotate(m, m.ek, 1, T, inv, af, false); !st.ok()) return st;
      }
      if (Status st = eval_attention(m, T, l, opt, {m.ews, ws}, profile); !st.ok()) return st;
      linear(m.eo, T, d, P(m, p.wo), d, nullptr, m.eq);
      for (std::size_t i = 0; i < T * d; ++i) m.ex[i] += m.eq[i];
      layernorm(m.ex, T, d, P(m, p.ln2_g), P(m, p.ln2_b), m.eh, nullptr, nullptr);
      linear(m.eh, T, d, P(m, p.w1), mm, P(m, p.b1), m.eu);
      gelu(m.eu, m.eu, T * mm, m.elogits);
      linear(m.eu, T, mm, P(m, p.w2), d, P(m, p.b2), m.eq);
      for (std::size_t i = 0; i < T * d; ++i) m.ex[i] += m.eq[i];
    }
    layernorm(m.ex, T, d, P(m, m.lnf_g), P(m, m.lnf_b), m.eh, nullptr, nullptr);
    if (c.tied) {
      transpose(P(m, m.tok), V, d, d, m.eet);  // E^T [d][V]
      linear(m.eh, T, d, m.eet, V, nullptr, m.elogits);
    } else {
      linear(m.eh, T, d, P(m, m.out), V, nullptr, m.elogits);
    }
    for (std::size_t t = 0; t < T; ++t) {
      float* row = m.elogits + t * V;
      softmax_row_fast({row, V, V, 1.0f, nullptr}, nullptr);
      total -= std::log(std::max(double(row[tk[t + 1]]), 1e-30));
    }
  }
  *nll_sum = total;
  *count = S * T;
  if (profile) profile->queries += S * T;
  return Status::success();
}

}  // namespace posenc::lm
