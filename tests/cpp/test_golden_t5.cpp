// SPDX-License-Identifier: MIT
// Parity with tests/golden/t5_relative_position_bucket.json: buckets computed by Hugging Face's
// T5Attention._relative_position_bucket for relative positions -300..300.
#include <doctest/doctest.h>

#include <vector>

#include "golden.hpp"
#include "posenc/t5.hpp"

TEST_CASE("golden: T5 buckets match _relative_position_bucket exactly") {
  const nlohmann::json g = posenc::test::load_golden("t5_relative_position_bucket.json");
  const std::vector<std::int32_t> rp = g.at("relative_positions").get<std::vector<std::int32_t>>();
  REQUIRE(rp.size() == 601);
  REQUIRE(rp.front() == -300);
  std::size_t checked = 0;
  for (const auto& c : g.at("cases")) {
    const auto& params = c.at("params");
    const posenc::T5BucketParams p{.bidirectional = params.at("bidirectional").get<bool>(),
                                   .num_buckets = params.at("num_buckets").get<std::int32_t>(),
                                   .max_distance = params.at("max_distance").get<std::int32_t>()};
    std::vector<std::int32_t> out(rp.size(), -1);
    REQUIRE(posenc::t5_buckets(rp, p, out).ok());
    const auto expect = c.at("buckets").get<std::vector<std::int32_t>>();
    REQUIRE(expect.size() == rp.size());
    for (std::size_t k = 0; k < rp.size(); ++k) {
      INFO(c.at("name").get<std::string>() << " relative_position " << rp[k]);
      CHECK(out[k] == expect[k]);
      ++checked;
    }
  }
  CHECK(checked == 2 * 601);
}
