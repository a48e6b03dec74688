// SPDX-License-Identifier: MIT
// Train short, test long: train the tiny language model with each position method at context L,
// then measure per-token perplexity on non-overlapping windows of 1x, 2x, 4x, 8x and 16x L (the
// comparison of Press et al. 2022, at toy scale, on the project's generated corpus or your text).
//
//   extrapolation [--steps 2000] [--batch 8] [--context 64] [--d-model 32] [--layers 2] [--heads 4]
//                 [--mlp 128] [--lr 0.01] [--seed 1] [--methods sinusoidal,rope,alibi,t5,none,learned]
//                 [--multiples 1,2,4,8,16] [--eval-tokens 32768] [--finetune 200] [--text FILE]
//                 [--json FILE] [--quiet]
//
// RoPE is also evaluated with position interpolation (linear scaling by length / L), NTK-aware scaling
// and YaRN (factor length / L), all without any fine-tuning, and, with --finetune N > 0, after N steps
// at 4L with the frequencies divided by 4. --json also holds each model's training loss (the mean of
// every 20 steps), for plotting.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "posenc/lm/corpus.hpp"
#include "posenc/lm/train.hpp"

using namespace posenc::lm;
using Clock = std::chrono::steady_clock;

namespace {

struct Args {
  std::size_t steps = 2000, batch = 8, context = 64, d_model = 32, layers = 2, heads = 4, mlp = 128;
  double lr = 1e-2;
  std::uint64_t seed = 1;
  std::vector<std::string> methods = {"sinusoidal", "rope", "alibi", "t5", "none", "learned"};
  std::vector<std::size_t> multiples = {1, 2, 4, 8, 16};
  std::size_t eval_tokens = 32768, finetune = 200;
  std::string text, json;
  bool quiet = false;
};

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  for (std::string item; std::getline(ss, item, ',');)
    if (!item.empty()) out.push_back(item);
  return out;
}

[[noreturn]] void usage(const char* error) {
  std::fprintf(stderr, "extrapolation: %s\nsee the comment at the top of examples/cpp/extrapolation.cpp\n", error);
  std::exit(2);
}

Args parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string k = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage(("missing value after " + k).c_str());
      return argv[++i];
    };
    auto number = [&]() {
      const std::string v = value();
      char* end = nullptr;
      const double x = std::strtod(v.c_str(), &end);
      if (*end || !std::isfinite(x) || x < 0) usage(("bad number for " + k + ": " + v).c_str());
      return x;
    };
    if (k == "--steps") a.steps = std::size_t(number());
    else if (k == "--batch") a.batch = std::size_t(number());
    else if (k == "--context") a.context = std::size_t(number());
    else if (k == "--d-model") a.d_model = std::size_t(number());
    else if (k == "--layers") a.layers = std::size_t(number());
    else if (k == "--heads") a.heads = std::size_t(number());
    else if (k == "--mlp") a.mlp = std::size_t(number());
    else if (k == "--lr") a.lr = number();
    else if (k == "--seed") a.seed = std::uint64_t(number());
    else if (k == "--methods") a.methods = split(value());
    else if (k == "--multiples") {
      a.multiples.clear();
      for (const auto& m : split(value())) a.multiples.push_back(std::size_t(std::atoi(m.c_str())));
    } else if (k == "--eval-tokens") a.eval_tokens = std::size_t(number());
    else if (k == "--finetune") a.finetune = std::size_t(number());
    else if (k == "--text") a.text = value();
    else if (k == "--json") a.json = value();
    else if (k == "--quiet") a.quiet = true;
    else usage(("unknown argument " + k).c_str());
  }
  return a;
}

bool position_of(const std::string& name, Position& p) {
  const char* names[] = {"none", "learned", "sinusoidal", "rope", "alibi", "t5", "kerple"};
  for (int i = 0; i < 7; ++i)
    if (name == names[i]) {
      p = Position(i);
      return true;
    }
  return false;
}

void fail(const char* what, const posenc::Status& s) {
  std::fprintf(stderr, "extrapolation: %s: %s %s\n", what, s.param, s.message);
  std::exit(1);
}

struct Row {
  std::string name;
  std::vector<double> ppl;  // NaN: cannot read that far
  double seconds = 0, tokens_per_second = 0, final_loss = 0;
  std::vector<double> loss_curve;  // mean loss of each 20 steps
};

}  // namespace

int main(int argc, char** argv) {
  const Args a = parse(argc, argv);
  const std::size_t L = a.context, longest = L * a.multiples.back();

  // Data: the generated corpus (train and evaluation streams), or a user's text split 90/10.
  std::vector<std::int32_t> train, eval;
  std::string source = "generated corpus";
  if (!a.text.empty()) {
    std::ifstream in(a.text, std::ios::binary);
    if (!in) usage(("cannot read " + a.text).c_str());
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::vector<std::int32_t> ids(text.size());
    if (auto s = corpus_encode(text, ids); !s.ok()) fail("--text", s);
    const std::size_t cut = ids.size() * 9 / 10;
    train.assign(ids.begin(), ids.begin() + std::ptrdiff_t(cut));
    eval.assign(ids.begin() + std::ptrdiff_t(cut), ids.end());
    source = a.text;
  } else {
    train.resize(std::max<std::size_t>(2'000'000, a.steps * a.batch * (L + 1) / 4));
    eval.resize(std::max(a.eval_tokens, longest) + longest + 1);
    if (auto s = corpus_generate_ids(a.seed, CorpusStream::train, train); !s.ok()) fail("corpus", s);
    if (auto s = corpus_generate_ids(a.seed, CorpusStream::eval, eval); !s.ok()) fail("corpus", s);
  }
  if (eval.size() < longest + 1) usage("the evaluation text is shorter than the longest window");

  std::vector<Row> rows;
  for (const std::string& name : a.methods) {
    Position pos;
    if (!position_of(name, pos)) usage(("unknown method " + name).c_str());
    TrainerConfig tc{.model = {.vocab = std::size_t(corpus_vocab_size), .d_model = a.d_model, .layers = a.layers,
                               .heads = a.heads, .mlp = a.mlp, .context = L, .batch = a.batch, .position = pos,
                               .t5_buckets = 32, .t5_max_distance = std::int32_t(L), .seed = a.seed},
                     .steps = a.steps, .lr = a.lr, .data_seed = a.seed + 1000};
    Trainer* t = nullptr;
    if (auto s = trainer_create(tc, train, &t); !s.ok()) fail(name.c_str(), s);
    const auto t0 = Clock::now();
    double loss = 0;
    std::vector<double> curve;
    for (std::size_t done = 0; done < a.steps;) {
      std::size_t n = 0;
      if (auto s = trainer_step(t, 20, &loss, &n); !s.ok()) fail(name.c_str(), s);
      done += n;
      curve.push_back(loss);
      if (!a.quiet) std::fprintf(stderr, "\r%-10s step %5zu/%zu  loss %.3f", name.c_str(), done, a.steps, loss);
    }
    const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
    if (!a.quiet) std::fprintf(stderr, "  (%.1f s, %.0f tokens/s)\n", secs, double(a.steps * a.batch * L) / secs);

    auto evaluate = [&](const EvalOptions& opt, std::size_t m) {
      double ppl = NAN;
      std::size_t scored = 0;
      const auto s = evaluate_perplexity(trainer_model(t), eval, L * m, a.eval_tokens, opt, &ppl, &scored);
      return s.ok() ? ppl : NAN;  // learned positions: no row past L
    };
    Row row{name, {}, secs, double(a.steps * a.batch * L) / secs, loss, curve};
    for (std::size_t m : a.multiples) row.ppl.push_back(evaluate({}, m));
    rows.push_back(row);
    if (pos == Position::rope) {
      // Scaled at evaluation only (factor = length / L), as pe.lm's evaluate({ rope }) does it.
      const std::pair<const char*, posenc::RopeType> scalings[] = {
          {"rope + PI at eval, no fine-tune", posenc::RopeType::linear},
          {"rope + NTK-aware at eval, no fine-tune", posenc::RopeType::ntk},
          {"rope + YaRN at eval, no fine-tune", posenc::RopeType::yarn}};
      for (const auto& [label, type] : scalings) {
        Row scaled{label, {}, 0, 0, 0, {}};
        for (std::size_t m : a.multiples) {
          EvalOptions opt;
          if (m > 1) {
            opt.rope.rope_type = type;
            opt.rope.factor = double(m);
            opt.rope.original_max_position_embeddings = std::int64_t(L);
            opt.rope.max_position_embeddings = std::int64_t(L);
          }
          scaled.ppl.push_back(evaluate(opt, m));
        }
        rows.push_back(scaled);
      }
      if (a.finetune > 0) {
        const posenc::RopeConfig four{.rope_type = posenc::RopeType::linear, .factor = 4.0};
        double ft_loss = 0;
        const auto f0 = Clock::now();
        if (auto s = trainer_finetune(t, 4 * L, four, a.finetune, a.lr * 0.1, &ft_loss); !s.ok()) fail("finetune", s);
        const double ft_secs = std::chrono::duration<double>(Clock::now() - f0).count();
        Row ft{"rope + PI x4, fine-tuned " + std::to_string(a.finetune) + " steps at 4L", {}, ft_secs,
               double(a.finetune * a.batch * 4 * L) / ft_secs, ft_loss, {}};
        for (std::size_t m : a.multiples) ft.ppl.push_back(evaluate({.rope = four}, m));
        rows.push_back(ft);
      }
    }
    trainer_destroy(t);
  }

  std::printf("train short (L = %zu), test long: per-token perplexity on %s\n", L, source.c_str());
  std::printf("model d=%zu, %zu layers, %zu heads, mlp %zu; %zu steps of %zu x %zu tokens, lr %g; up to %zu tokens "
              "scored per length\n", a.d_model, a.layers, a.heads, a.mlp, a.steps, a.batch, L, a.lr, a.eval_tokens);
  std::printf("%-44s", "method");
  for (std::size_t m : a.multiples) std::printf(" %9zu", m * L);
  std::printf("   train s  tokens/s\n");
  for (const Row& r : rows) {
    std::printf("%-44s", r.name.c_str());
    for (double p : r.ppl) std::isnan(p) ? std::printf(" %9s", "cannot") : std::printf(" %9.2f", p);
    if (r.tokens_per_second > 0) std::printf("   %7.1f  %8.0f\n", r.seconds, r.tokens_per_second);
    else std::printf("   %7s  %8s\n", "-", "-");  // evaluated only: nothing was trained for this row
  }
  if (!a.json.empty()) {
    std::ofstream out(a.json);
    out << "{\n  \"context\": " << L << ",\n  \"source\": \"" << (a.text.empty() ? "corpus" : "text") << "\",\n  \"steps\": "
        << a.steps << ", \"batch\": " << a.batch << ", \"d_model\": " << a.d_model << ", \"layers\": " << a.layers
        << ", \"heads\": " << a.heads << ", \"mlp\": " << a.mlp << ", \"lr\": " << a.lr << ", \"seed\": " << a.seed
        << ",\n  \"lengths\": [";
    for (std::size_t i = 0; i < a.multiples.size(); ++i) out << (i ? ", " : "") << a.multiples[i] * L;
    out << "],\n  \"rows\": [\n";
    for (std::size_t i = 0; i < rows.size(); ++i) {
      out << "    {\"method\": \"" << rows[i].name << "\", \"perplexity\": [";
      for (std::size_t j = 0; j < rows[i].ppl.size(); ++j)
        out << (j ? ", " : "") << (std::isnan(rows[i].ppl[j]) ? std::string("null") : std::to_string(rows[i].ppl[j]));
      out << "], \"train_seconds\": " << rows[i].seconds << ", \"tokens_per_second\": " << rows[i].tokens_per_second
          << ", \"final_loss\": " << rows[i].final_loss << ", \"loss\": [";
      for (std::size_t j = 0; j < rows[i].loss_curve.size(); ++j) out << (j ? ", " : "") << rows[i].loss_curve[j];
      out << "]}" << (i + 1 < rows.size() ? "," : "") << "\n";
    }
    out << "  ]\n}\n";
  }
  return 0;
}
