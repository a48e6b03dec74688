// SPDX-License-Identifier: MIT
// Parity with tests/golden/alibi.json: slopes and the causal bias computed by the reference code
// (ofirpress/attention_with_linear_biases, fairseq TransformerDecoder: get_slopes, buffered_future_mask).
#include <doctest/doctest.h>

#include <limits>
#include <vector>

#include "golden.hpp"
#include "posenc/alibi.hpp"

using posenc::AlibiBiasParams;
using posenc::AlibiForm;

TEST_CASE("golden: ALiBi slopes match get_slopes exactly, in float64 and float32") {
  const nlohmann::json g = posenc::test::load_golden("alibi.json");
  std::size_t checked = 0;
  for (const auto& c : g.at("slopes")) {
    const std::size_t n = c.at("n_heads");
    std::vector<double> s64(n);
    std::vector<float> s32(n);
    REQUIRE(posenc::alibi_slopes(std::span<double>(s64)).ok());
    REQUIRE(posenc::alibi_slopes(std::span<float>(s32)).ok());
    REQUIRE(c.at("slopes_float64").size() == n);
    REQUIRE(c.at("slopes_float32").size() == n);
    for (std::size_t h = 0; h < n; ++h) {
      CAPTURE(n);
      CAPTURE(h);
      CHECK(s64[h] == c.at("slopes_float64")[h].get<double>());
      CHECK(double(s32[h]) == c.at("slopes_float32")[h].get<double>());
      ++checked;
    }
  }
  CHECK(checked == 1 + 2 + 3 + 4 + 5 + 6 + 7 + 8 + 12 + 16);
}

TEST_CASE("golden: the 8-head ALiBi causal bias matches buffered_future_mask, in both forms") {
  const nlohmann::json g = posenc::test::load_golden("alibi.json");
  const auto& c = g.at("causal_bias_8_heads_6_positions");
  const std::size_t heads = c.at("params").at("n_heads"), n = c.at("params").at("seq_len");
  const struct {
    AlibiForm form;
    const char* key;
  } forms[] = {{AlibiForm::reference, "bias_reference_form"}, {AlibiForm::relative, "bias_relative_form_equivalent"}};
  for (const auto& f : forms) {
    INFO(f.key);
    std::vector<float> out(heads * n * n);
    REQUIRE(posenc::alibi_bias({.shape = {.heads = heads, .queries = n, .keys = n}, .form = f.form}, out).ok());
    const auto& expect = c.at(f.key);
    REQUIRE(expect.size() == heads);
    std::size_t checked = 0;
    for (std::size_t h = 0; h < heads; ++h)
      for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < n; ++j) {
          const auto& e = expect[h][i][j];
          const double want = e.is_null() ? -std::numeric_limits<double>::infinity() : e.get<double>();
          CAPTURE(h);
          CAPTURE(i);
          CAPTURE(j);
          CHECK(double(out[(h * n + i) * n + j]) == want);
          ++checked;
        }
    CHECK(checked == 8 * 6 * 6);
  }
}
