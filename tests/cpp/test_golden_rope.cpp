// SPDX-License-Identifier: MIT
// Parity with tests/golden/rope_*.json: Hugging Face's ROPE_INIT_FUNCTIONS and LlamaRotaryEmbedding
// (half layout, every scaling with a golden file) and Meta's Llama complex multiply (interleaved).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "golden.hpp"
#include "posenc/rope.hpp"

using nlohmann::json;
using posenc::RopeConfig;
using posenc::RopeLayout;
using posenc::RopeType;

namespace {

RopeType type_of(const std::string& name) {
  if (name == "linear") return RopeType::linear;
  if (name == "dynamic") return RopeType::dynamic;
  if (name == "yarn") return RopeType::yarn;
  if (name == "llama3") return RopeType::llama3;
  if (name == "longrope") return RopeType::longrope;
  REQUIRE_MESSAGE(name == "default", "unknown rope_type " << name);
  return RopeType::default_;
}

// The golden case's config, read field by field (the test's own mapping of HF's keys).
RopeConfig config_of(const json& params) {
  RopeConfig c;
  c.head_dim = params.at("head_dim");
  c.rope_theta = params.at("rope_theta");
  c.max_position_embeddings = params.at("max_position_embeddings");
  const json& s = params.at("rope_scaling");
  if (s.is_null()) return c;
  c.rope_type = type_of(s.at("rope_type"));
  if (s.contains("factor")) c.factor = s.at("factor");
  if (s.contains("low_freq_factor")) c.low_freq_factor = s.at("low_freq_factor");
  if (s.contains("high_freq_factor")) c.high_freq_factor = s.at("high_freq_factor");
  if (s.contains("original_max_position_embeddings")) c.original_max_position_embeddings = s.at("original_max_position_embeddings");
  for (const auto& item : s.items()) {
    const std::string key = item.key();
    const bool known = key == "rope_type" || key == "factor" || key == "low_freq_factor" || key == "high_freq_factor" ||
                       key == "original_max_position_embeddings";
    CHECK_MESSAGE(known, "golden config key not mapped: " << key);
  }
  return c;
}

struct Worst {
  double f32 = 0;  // largest |ours - float32 reference| / cross-precision tolerance
  double f64 = 0;  // largest |ours - float64 re-evaluation|
  std::size_t n = 0;
  void add(double got, double ref32, double ref64, double position) {
    f32 = std::max(f32, std::abs(got - ref32) / posenc::test::cross_precision_atol(position));
    f64 = std::max(f64, std::abs(got - ref64));
    ++n;
  }
};

// Check one golden case (inv_freq, attention factor, cos/sin rows, rotated q) for `layout`, where the
// stored cos/sin rows hold `row_len` entries and entry i belongs to frequency i % (r/2).
void check_case(const json& positions, const RopeConfig& c, std::int64_t seq_len, RopeLayout layout,
                const json& inv32, const json& inv64, double af_ref, const json& cos32, const json& sin32,
                const json& cos64, const json& sin64, const json& q_in, const json& q32, const json& q64) {
  const std::size_t r = posenc::rope_rotary_dim(c), h = r / 2;
  std::vector<double> inv(h);
  double af = 0;
  const posenc::Status st = posenc::rope_frequencies(c, seq_len, inv, af);
  REQUIRE_MESSAGE(st.ok(), st.param << ": " << st.message);
  CHECK(af == doctest::Approx(af_ref).epsilon(1e-14));
  REQUIRE(inv32.size() == h);
  for (std::size_t i = 0; i < h; ++i) {
    CHECK(std::abs(inv[i] - inv32[i].get<double>()) <= 1e-5 * inv32[i].get<double>());  // README: 1e-5 relative
    CHECK(std::abs(inv[i] - inv64[i].get<double>()) <= 1e-13 * inv64[i].get<double>());
  }

  Worst cs, q;
  for (std::size_t k = 0; k < positions.size(); ++k) {
    const std::int32_t pos = positions[k];
    std::vector<float> cosv(h), sinv(h);
    const std::int32_t one[] = {pos};
    REQUIRE(posenc::rope_cache(inv, af, one, 0, 1, cosv, sinv).ok());
    const std::size_t row_len = cos32[k].size();
    for (std::size_t i = 0; i < row_len; ++i) {
      cs.add(cosv[i % h], cos32[k][i], cos64[k][i], pos);
      cs.add(sinv[i % h], sin32[k][i], sin64[k][i], pos);
    }
    std::vector<float> x(q_in.size());
    for (std::size_t j = 0; j < x.size(); ++j) x[j] = q_in[j].get<float>();
    posenc::RopeApplyParams p{.seq = 1, .heads = 1, .head_dim = x.size(), .layout = layout};
    REQUIRE(posenc::rope_apply(x, p, inv, af, one).ok());
    for (std::size_t j = 0; j < x.size(); ++j) q.add(x[j], q32[k][j], q64[k][j], pos);
  }
  CHECK(cs.f32 <= 1.0);
  CHECK(cs.f64 <= 1.2e-7);  // one float32 rounding of a value up to attention_factor (1.14)
  CHECK(q.f32 <= 1.0);
  CHECK(q.f64 <= 5e-7);     // float32 multiply-adds of the rotation
  CHECK(cs.n == positions.size() * 2 * cos32[0].size());
}

}  // namespace

TEST_CASE("golden: Hugging Face RoPE, every scaling with a golden file (half layout)") {
  std::size_t cases = 0;
  for (const char* file : {"rope_default.json", "rope_linear.json", "rope_dynamic.json", "rope_yarn.json", "rope_llama3.json"}) {
    const json g = posenc::test::load_golden(file);
    for (const json& k : g.at("cases")) {
      CAPTURE(k.at("name").get<std::string>());
      const RopeConfig c = config_of(k.at("params"));
      const std::int64_t seq_len = k.contains("seq_len") ? k.at("seq_len").get<std::int64_t>() : 0;
      const json& f64 = k.at("float64_reevaluation");
      const json& q_in = g.at("q_input_float32").at(std::to_string(c.head_dim));
      check_case(g.at("positions"), c, seq_len, RopeLayout::half, k.at("inv_freq"), f64.at("inv_freq"),
                 k.at("attention_factor"), k.at("cos"), k.at("sin"), f64.at("cos"), f64.at("sin"), q_in,
                 k.at("q_rotated"), f64.at("q_rotated"));
      ++cases;
    }
  }
  CHECK(cases == 4 + 2 + 2 + 1 + 1);
}

TEST_CASE("golden: Meta Llama complex multiply (interleaved layout)") {
  const json g = posenc::test::load_golden("rope_interleaved.json");
  const json& params = g.at("params");
  RopeConfig c;
  c.head_dim = params.at("head_dim");
  c.rope_theta = params.at("theta");
  const json& f64 = g.at("float64_reevaluation");
  check_case(g.at("positions"), c, 0, RopeLayout::interleaved, g.at("freqs"), f64.at("freqs"), 1.0, g.at("cos"),
             g.at("sin"), f64.at("cos"), f64.at("sin"), g.at("q_input_float32"), g.at("q_rotated"), f64.at("q_rotated"));
}
