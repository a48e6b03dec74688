// SPDX-License-Identifier: MIT
// Fuzz target: the tiny language model: create with odd sizes (every position method, tied or not),
// loss and gradients, AdamW steps through the trainer, fine-tuning with scaled RoPE, evaluation.
// Configs whose true parameter count passes the 2^26 limit are created too (they must be refused
// before any allocation, also where a 32-bit size_t would wrap the count); accepted ones are trained
// only when small (a fuzzing run must stay fast).
#include "fuzz.hpp"
#include "posenc/lm/train.hpp"

using namespace posenc;
using namespace posenc::lm;
using namespace posenc::fuzz;

namespace {

// The parameter count in float64 (no wrap), from the layout in model.hpp.
double parameters(const Config& c) {
  const double V = double(c.vocab), d = double(c.d_model), m = double(c.mlp), L = double(c.layers);
  return V * d + double(c.context) * d + L * (4 * d + 4 * d * d + 2 * d * m + m + d) + 65536.0 * double(c.heads) +
         2 * d + (c.tied ? 0 : d * V);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Input in(data, size);
  const bool big = in.flag();
  Config c;
  c.vocab = big ? in.size() : in.small(0, 40);
  c.d_model = big ? in.size() : in.small(0, 16);
  c.layers = big ? in.size() : in.small(0, 3);
  c.heads = big ? in.size() : in.small(0, 5);
  c.mlp = big ? in.size() : in.small(0, 20);
  c.context = big ? in.size() : in.small(0, 12);
  c.batch = big ? in.size() : in.small(0, 3);
  c.position = static_cast<Position>(in.below(8));
  c.tied = in.flag();
  c.rope_theta = in.flag() ? 10000.0 : in.number();
  c.t5_buckets = in.flag() ? 8 : std::int32_t(in.integer());
  c.t5_max_distance = in.flag() ? 16 : std::int32_t(in.integer());
  c.seed = in.take<std::uint64_t>();
  const double work = parameters(c) + double(c.batch) * double(c.context) * (double(c.context) * double(c.heads) +
                                                                             20.0 * double(c.d_model) + double(c.vocab));
  if (work > double(1 << 18) && parameters(c) <= double(1 << 26) * 0.9) return 0;  // accepted and slow: skip

  TrainerConfig tc;
  tc.model = c;
  tc.steps = in.flag() ? in.small(1, 4) : in.size();
  tc.lr = in.flag() ? 1e-2 : in.number();
  tc.warmup_fraction = in.flag() ? 0.05 : in.number();
  tc.final_lr_ratio = in.flag() ? 0.1 : in.number();
  if (!in.flag()) {
    tc.optimizer.weight_decay = in.number();
    tc.optimizer.clip = in.number();
    tc.optimizer.position_lr_mult = in.number();
  }
  const std::int32_t vocab = c.vocab > 0 && c.vocab < (1u << 16) ? std::int32_t(c.vocab) : 64;
  const std::vector<std::int32_t> text = in.ints(in.flag() ? c.context % 64 + 2 + in.small(0, 8) : in.small(0, 40), 0, vocab - 1);
  Trainer* t = nullptr;
  const Status s = trainer_create(tc, text, &t);
  check_status(s);
  if (!s.ok()) {
    POSENC_FUZZ_CHECK(t == nullptr);
    return 0;
  }
  POSENC_FUZZ_CHECK(parameters(c) <= double(1 << 26));
  double loss = -1;
  std::size_t done = 0;
  const Status ts = trainer_step(t, in.small(0, 2), &loss, &done);
  check_status(ts);
  if (in.flag()) {
    RopeConfig rope;
    rope.rope_type = static_cast<RopeType>(in.below(8));
    rope.factor = in.flag() ? 2.0 : in.number();
    rope.original_max_position_embeddings = std::int64_t(c.context);
    check_status(trainer_finetune(t, in.flag() ? 2 * c.context : in.size(), rope, in.small(0, 1), 1e-3, &loss));
  }
  EvalOptions eo;
  eo.streaming = in.flag();
  if (in.flag()) {
    eo.rope.rope_type = static_cast<RopeType>(in.below(8));
    eo.rope.factor = in.flag() ? 2.0 : in.number();
    eo.rope.original_max_position_embeddings = std::int64_t(c.context);
  }
  const std::vector<std::int32_t> eval = in.ints(in.small(0, 60), 0, vocab - 1);
  double ppl = -1;
  std::size_t scored = 0;
  const Status es = evaluate_perplexity(trainer_model(t), eval, in.flag() ? in.small(1, 20) : in.size(), in.small(0, 64), eo,
                                        &ppl, &scored);
  check_status(es);
  trainer_destroy(t);
  return 0;
}
