// SPDX-License-Identifier: MIT
// Loading the golden reference files (tests/golden, copied from the project's shared reference set;
// values computed by running the reference implementations, never by posenc).
#pragma once

#include <doctest/doctest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

namespace posenc::test {

inline nlohmann::json load_golden(const std::string& name) {
  const std::string path = std::string(POSENC_GOLDEN_DIR) + "/" + name;
  std::ifstream in(path);
  REQUIRE_MESSAGE(in.good(), "cannot open " << path);
  return nlohmann::json::parse(in);
}

// README of the golden set: float32 results agree within 1e-5 relative or 1e-6 absolute when the
// arithmetic is the same; across precisions the angle error grows with the position:
// atol = 1e-6 + 2.5e-7 * position.
inline double cross_precision_atol(double position) { return 1e-6 + 2.5e-7 * position; }

}  // namespace posenc::test
