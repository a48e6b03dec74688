// SPDX-License-Identifier: MIT
// Parity with tests/golden/sinusoidal.json: tables computed by the reference implementations
// (annotated-transformer's PositionalEncoding, fairseq's SinusoidalPositionalEmbedding).
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "golden.hpp"
#include "posenc/sinusoidal.hpp"

using posenc::SinusoidalLayout;
using posenc::SinusoidalParams;

namespace {

struct Diff {
  double vs_f32 = 0.0;       // largest |posenc - reference float32| / its allowed tolerance
  double vs_f64 = 0.0;       // largest |posenc - reference float64 re-evaluation|
  std::size_t checked = 0;   // values compared
};

// Compare the rows `rows` (table row indices, from position `first_pos`) of a posenc table against
// the stored reference rows.
Diff compare(SinusoidalLayout layout, std::size_t dim, std::int64_t offset, const nlohmann::json& rows,
             const nlohmann::json& f32, const nlohmann::json* f64) {
  const std::size_t length = rows.back().get<std::size_t>() + 1;
  std::vector<float> t(length * dim);
  const SinusoidalParams p{.length = length, .dim = dim, .layout = layout, .offset = offset};
  const posenc::Status s = posenc::sinusoidal_table(p, t);
  REQUIRE_MESSAGE(s.ok(), s.param << ": " << s.message);
  Diff d;
  for (std::size_t k = 0; k < rows.size(); ++k) {
    const std::size_t r = rows[k].get<std::size_t>();
    const double position = double(r) + double(offset);
    REQUIRE(f32[k].size() == dim);
    for (std::size_t c = 0; c < dim; ++c) {
      const double got = t[r * dim + c];
      // README: float32 results of different arithmetic agree within 1e-6 + 2.5e-7 * position.
      d.vs_f32 = std::max(d.vs_f32, std::abs(got - f32[k][c].get<double>()) / posenc::test::cross_precision_atol(position));
      if (f64) d.vs_f64 = std::max(d.vs_f64, std::abs(got - (*f64)[k][c].get<double>()));
      ++d.checked;
    }
  }
  return d;
}

}  // namespace

TEST_CASE("golden: sinusoidal tables match the reference implementations") {
  const nlohmann::json g = posenc::test::load_golden("sinusoidal.json");
  std::size_t checked = 0;
  for (const auto& t : g.at("tables")) {
    const std::size_t dim = t.at("d_model");
    const auto& positions = t.at("positions");
    CAPTURE(dim);

    {
      INFO("vaswani (annotated-transformer)");
      const auto& v = t.at("vaswani_interleaved");
      const Diff d = compare(SinusoidalLayout::vaswani, dim, 0, positions, v.at("values_float32"), &v.at("values_float64"));
      CHECK(d.vs_f32 <= 1.0);
      CHECK(d.vs_f64 <= 6.0e-8);  // posenc's own claim: one float32 rounding of the float64 value
      checked += d.checked;
    }
    {
      INFO("fairseq get_embedding");
      const auto& v = t.at("fairseq_concatenated_table");
      const Diff d = compare(SinusoidalLayout::fairseq, dim, 0, positions, v.at("values_float32"), &v.at("values_float64"));
      CHECK(d.vs_f32 <= 1.0);
      CHECK(d.vs_f64 <= 6.0e-8);
      checked += d.checked;
    }
    {
      INFO("fairseq forward with padding_idx 1 (offset 2)");
      const auto& v = t.at("fairseq_forward_padding_idx_1");
      const Diff d = compare(SinusoidalLayout::fairseq, dim, 2, v.at("token_indices"), v.at("values_float32"), nullptr);
      CHECK(d.vs_f32 <= 1.0);
      checked += d.checked;
    }
  }
  CHECK(checked == 6 * 16 * 3 + 5 * 512 * 3);  // every stored value was compared
}
