// SPDX-License-Identifier: MIT
// posenc: training and evaluation of the tiny language model (see train.hpp).
#include "posenc/lm/train.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <new>
#include <numbers>

#include "posenc/learned.hpp"

namespace posenc::lm {

struct Trainer {
  TrainerConfig cfg;
  Model* model = nullptr;
  std::int32_t* stream = nullptr;
  std::size_t stream_len = 0;
  std::int32_t* batch = nullptr;  // batch * (max context + 1) ids
  std::size_t batch_cap = 0;
  SplitMix64 rng{0};
  std::size_t steps_done = 0;
  bool drawn = false;     // the batch of step steps_done is in `batch`
  float* sums = nullptr;  // the tree's partial sums: one P-float buffer per level, then the root's
  std::size_t levels = 0;
  float* root = nullptr;
  double* losses = nullptr;  // batch values
  ~Trainer() {
    model_destroy(model);
    std::free(stream);
    std::free(batch);
    std::free(sums);
    std::free(losses);
  }
};

double learning_rate(const TrainerConfig& c, std::size_t step) {
  const double warm = std::max(1.0, std::floor(c.warmup_fraction * double(c.steps)));
  if (double(step) < warm) return c.lr * (double(step) + 1.0) / warm;
  const double span = std::max(1.0, double(c.steps) - warm);
  const double t = std::min(1.0, (double(step) - warm) / span);
  return c.lr * (c.final_lr_ratio + (1.0 - c.final_lr_ratio) * 0.5 * (1.0 + std::cos(std::numbers::pi * t)));
}

namespace {

bool reserve_batch(Trainer& t, std::size_t context) {
  const std::size_t n = t.cfg.model.batch * (context + 1);
  if (n <= t.batch_cap) return true;
  std::free(t.batch);
  t.batch = static_cast<std::int32_t*>(std::malloc(n * sizeof(std::int32_t)));
  t.batch_cap = t.batch ? n : 0;
  return t.batch != nullptr;
}

// `batch` windows of context + 1 tokens at random offsets.
void sample(Trainer& t, std::size_t context) {
  const std::size_t B = t.cfg.model.batch, w = context + 1, range = t.stream_len - w + 1;
  for (std::size_t b = 0; b < B; ++b) {
    const std::size_t start = std::size_t(t.rng.next() % range);
    std::memcpy(t.batch + b * w, t.stream + start, w * sizeof(std::int32_t));
  }
}

// The AdamW settings (NaN fails every comparison, so it is refused too).
Status optimizer_check(const Optimizer& o) {
  if (!(o.beta1 >= 0 && o.beta1 < 1)) return Status::range("beta1", "must be in [0, 1)");
  if (!(o.beta2 >= 0 && o.beta2 < 1)) return Status::range("beta2", "must be in [0, 1)");
  if (!(std::isfinite(o.eps) && o.eps > 0)) return Status::range("eps", "must be a finite number > 0");
  if (!(o.weight_decay >= 0 && o.weight_decay <= 1)) return Status::range("weightDecay", "must be in [0, 1]");
  if (!(std::isfinite(o.clip) && o.clip >= 0)) return Status::range("clip", "must be a finite number >= 0");
  if (!(o.position_lr_mult > 0 && o.position_lr_mult <= 1e4)) return Status::range("positionLrMult", "must be in (0, 1e4]");
  return Status::success();
}

}  // namespace

Status trainer_create(const TrainerConfig& c, std::span<const std::int32_t> train, Trainer** out) {
  *out = nullptr;
  if (c.steps < 1) return Status::range("steps", "must be at least 1");
  if (!(std::isfinite(c.lr) && c.lr > 0 && c.lr < 10)) return Status::range("lr", "must be in (0, 10)");
  if (!(c.warmup_fraction >= 0 && c.warmup_fraction <= 1)) return Status::range("warmup", "must be in [0, 1]");
  if (!(c.final_lr_ratio >= 0 && c.final_lr_ratio <= 1)) return Status::range("finalLrRatio", "must be in [0, 1]");
  if (Status s = optimizer_check(c.optimizer); !s.ok()) return s;
  if (train.size() < c.model.context + 2) return Status::range("text", "is shorter than the context + 2 tokens");
  for (std::int32_t id : train)
    if (id < 0 || std::size_t(id) >= c.model.vocab) return Status::range("text", "token ids must be in [0, vocab)");
  Trainer* t = new (std::nothrow) Trainer();
  if (!t) return Status::range("text", "out of memory");
  t->cfg = c;
  t->rng = SplitMix64{c.data_seed};
  if (Status s = model_create(c.model, &t->model); !s.ok()) {
    delete t;
    return s;
  }
  t->stream = static_cast<std::int32_t*>(std::malloc(train.size() * sizeof(std::int32_t)));
  while ((std::size_t(1) << t->levels) < c.model.batch) ++t->levels;  // the tree's depth: ceil(log2 B)
  const std::size_t P = model_parameter_count(t->model);
  t->sums = static_cast<float*>(std::malloc((t->levels + 1) * P * sizeof(float)));
  t->root = t->sums ? t->sums + t->levels * P : nullptr;
  t->losses = static_cast<double*>(std::malloc(c.model.batch * sizeof(double)));
  if (!t->stream || !t->sums || !t->losses || !reserve_batch(*t, c.model.context)) {
    delete t;
    return Status::range("text", "out of memory for the training stream");
  }
  std::memcpy(t->stream, train.data(), train.size() * sizeof(std::int32_t));
  t->stream_len = train.size();
  *out = t;
  return Status::success();
}

void trainer_destroy(Trainer* t) { delete t; }
Model* trainer_model(Trainer* t) { return t->model; }
std::size_t trainer_steps_done(const Trainer* t) { return t->steps_done; }

namespace {

// Draw the batch of the next step once (replicas draw the same: same seed, same number of draws).
void draw(Trainer& t) {
  if (t.drawn) return;
  sample(t, t.cfg.model.context);
  t.drawn = true;
}

// S(lo, hi) of the drawn batch into `out` (see train.hpp), the sequences' losses into losses[b - lo];
// `level` is the depth of [lo, hi) in the recursion: the right half's sum goes to the next level's
// buffer (a tree over B sequences is ceil(log2 B) levels deep).
Status tree_sum(Trainer& t, std::size_t lo, std::size_t hi, float* out, double* losses, std::size_t level) {
  const std::size_t T = t.cfg.model.context, B = t.cfg.model.batch, P = model_parameter_count(t.model);
  if (hi - lo == 1) {
    if (Status s = model_loss_and_gradients(t.model, {t.batch + lo * (T + 1), T + 1}, 1, T, nullptr, losses, B * T);
        !s.ok())
      return s;
    const float* g = model_gradients(t.model).data();
    std::copy(g, g + P, out);
    return Status::success();
  }
  const std::size_t mid = lo + (hi - lo) / 2;
  float* right = t.sums + level * P;
  if (Status s = tree_sum(t, lo, mid, out, losses, level + 1); !s.ok()) return s;
  if (Status s = tree_sum(t, mid, hi, right, losses + (mid - lo), level + 1); !s.ok()) return s;
  for (std::size_t i = 0; i < P; ++i) out[i] += right[i];
  return Status::success();
}

// The AdamW step of the drawn batch with the gradient already in the model's gradients.
void take_step(Trainer& t) {
  model_adamw_step(t.model, t.cfg.optimizer, learning_rate(t.cfg, t.steps_done));
  ++t.steps_done;
  t.drawn = false;
}

}  // namespace

Status trainer_step(Trainer* t, std::size_t n, double* mean_loss, std::size_t* done) {
  const std::size_t B = t->cfg.model.batch;
  float* g = model_gradients(t->model).data();
  double sum = 0;
  std::size_t k = 0;
  for (; k < n && t->steps_done < t->cfg.steps; ++k) {
    draw(*t);
    if (Status s = tree_sum(*t, 0, B, t->root, t->losses, 0); !s.ok()) return s;
    std::copy(t->root, t->root + model_parameter_count(t->model), g);
    double loss = 0;
    for (std::size_t b = 0; b < B; ++b) loss += t->losses[b];
    take_step(*t);
    sum += loss;
  }
  *mean_loss = k ? sum / double(k) : 0.0;
  if (done) *done = k;
  return Status::success();
}

Status trainer_tree_gradient(Trainer* t, std::size_t lo, std::size_t hi, std::span<float> sum,
                             std::span<double> losses) {
  const std::size_t B = t->cfg.model.batch, P = model_parameter_count(t->model);
  if (t->steps_done >= t->cfg.steps) return Status::range("trainer", "has taken every step of its schedule");
  if (lo >= B) return Status::range("lo", "must be less than the batch size");
  if (hi <= lo || hi > B) return Status::range("hi", "must be in (lo, batch]");
  if (sum.size() != P) return Status::range("sum", "must hold one value per parameter");
  if (losses.size() != hi - lo) return Status::range("losses", "must hold hi - lo values");
  draw(*t);
  // The recursion's levels are counted from the root of [0, B); a range deeper in the tree needs no
  // more buffers than the root does.
  return tree_sum(*t, lo, hi, sum.data(), losses.data(), 0);
}

Status trainer_apply_gradient(Trainer* t, std::span<const float> gradient) {
  if (t->steps_done >= t->cfg.steps) return Status::range("trainer", "has taken every step of its schedule");
  const std::span<float> g = model_gradients(t->model);
  if (gradient.size() != g.size()) return Status::range("gradient", "must hold one value per parameter");
  for (float v : gradient)
    if (!std::isfinite(v)) return Status::range("gradient", "must be finite");
  draw(*t);  // a step taken without asking for gradients still uses up its batch
  std::copy(gradient.begin(), gradient.end(), g.begin());
  take_step(*t);
  return Status::success();
}

Status trainer_finetune(Trainer* t, std::size_t context, const RopeConfig& rope, std::size_t steps, double lr,
                        double* mean_loss) {
  if (!(std::isfinite(lr) && lr > 0 && lr < 10)) return Status::range("lr", "must be in (0, 10)");
  if (context + 1 > t->stream_len) return Status::range("context", "is longer than the training stream");
  if (Status s = model_reserve_context(t->model, context); !s.ok()) return s;
  if (!reserve_batch(*t, context)) return Status::range("context", "out of memory for the batch");
  t->drawn = false;  // the fine-tune's batches overwrite a drawn one: the next step draws again
  const std::size_t B = t->cfg.model.batch;
  double sum = 0;
  for (std::size_t k = 0; k < steps; ++k) {
    sample(*t, context);
    double loss = 0;
    if (Status s = model_loss_and_gradients(t->model, {t->batch, B * (context + 1)}, B, context, &rope, &loss); !s.ok())
      return s;
    model_adamw_step(t->model, t->cfg.optimizer, lr);
    sum += loss;
  }
  *mean_loss = steps ? sum / double(steps) : 0.0;
  return Status::success();
}

namespace {

// Perplexity over the evaluation windows (see evaluate_perplexity), accumulating `profile` if given.
Status evaluate_windows(Model* model, std::span<const std::int32_t> eval, std::size_t length, std::size_t max_scored,
                        const EvalOptions& options, AttentionProfile* profile, double* perplexity, std::size_t* scored) {
  if (length < 1) return Status::range("length", "must be at least 1");
  const std::size_t windows = std::min(std::max<std::size_t>(1, max_scored / length),
                                       eval.size() > length ? (eval.size() - 1) / length : 0);
  if (windows == 0) return Status::range("length", "the evaluation stream is shorter than one window");
  double nll_total = 0;
  std::size_t count_total = 0;
  for (std::size_t w = 0; w < windows; ++w) {
    double nll = 0;
    std::size_t count = 0;
    // Window w: tokens [w * length, w * length + length] (its last token is only a target).
    if (Status s = model_evaluate(model, eval.subspan(w * length, length + 1), 1, length, options, &nll, &count, profile);
        !s.ok())
      return s;
    nll_total += nll;
    count_total += count;
  }
  *perplexity = std::exp(nll_total / double(count_total));
  *scored = count_total;
  return Status::success();
}

}  // namespace

Status evaluate_perplexity(Model* model, std::span<const std::int32_t> eval, std::size_t length, std::size_t max_scored,
                           const EvalOptions& options, double* perplexity, std::size_t* scored) {
  return evaluate_windows(model, eval, length, max_scored, options, nullptr, perplexity, scored);
}

Status attention_profile(Model* model, std::span<const std::int32_t> eval, std::size_t length, std::size_t max_scored,
                         const EvalOptions& options, std::span<const std::size_t> distances, std::span<double> share,
                         std::size_t* queries, double* perplexity) {
  const Config& c = model_config(model);
  if (distances.empty() || distances.size() > 64) return Status::range("distances", "must hold 1 to 64 distances");
  if (share.size() != c.layers * c.heads * distances.size())
    return Status::range("distances", "share must hold layers * heads * distances values");
  std::fill(share.begin(), share.end(), 0.0);
  EvalOptions full = options;
  full.window = 0;
  AttentionProfile profile{.distances = distances, .beyond = share};
  std::size_t scored = 0;
  if (Status s = evaluate_windows(model, eval, length, max_scored, full, &profile, perplexity, &scored); !s.ok()) return s;
  for (double& v : share) v /= double(profile.queries);
  *queries = profile.queries;
  return Status::success();
}

}  // namespace posenc::lm
