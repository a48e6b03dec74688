// SPDX-License-Identifier: MIT
// Shared by the language-model suites: a model that frees itself.
#pragma once

#include <doctest/doctest.h>

#include <memory>

#include "posenc/lm/model.hpp"

namespace posenc::test {

struct ModelDeleter {
  void operator()(lm::Model* m) const { lm::model_destroy(m); }
};
using ModelPtr = std::unique_ptr<lm::Model, ModelDeleter>;

// model_create, which must succeed (the failure names the Config field).
inline ModelPtr make_model(const lm::Config& c) {
  lm::Model* m = nullptr;
  const Status s = lm::model_create(c, &m);
  REQUIRE_MESSAGE(s.ok(), s.param << ": " << s.message);
  return ModelPtr(m);
}

}  // namespace posenc::test
