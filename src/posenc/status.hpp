// SPDX-License-Identifier: MIT
// posenc: the error value every public function of the core returns.
//
// The core never throws. A function that can fail returns a Status; a failed Status names the
// parameter at fault and carries a static message. The Embind layer passes the code and the message
// to JavaScript, where the package turns them into a TypeError or RangeError (an exception that
// crosses Embind leaks WebAssembly stack, so none ever does).
#pragma once

#include <cstdint>

namespace posenc {

enum class Errc : std::int32_t {
  ok = 0,
  type_error = 1,   // an argument of the wrong kind (e.g. an unknown enumerator)
  range_error = 2,  // an argument outside its domain (a size of zero, too large, NaN, ...)
};

struct [[nodiscard]] Status {
  Errc code = Errc::ok;
  const char* param = "";    // the parameter at fault, spelled as in the JavaScript API
  const char* message = "";  // what is wrong with it (static storage)

  constexpr bool ok() const { return code == Errc::ok; }
  static constexpr Status success() { return {}; }
  static constexpr Status type(const char* param, const char* message) {
    return {Errc::type_error, param, message};
  }
  static constexpr Status range(const char* param, const char* message) {
    return {Errc::range_error, param, message};
  }
};

// The largest output any single call produces: 256 MiB of float32. A request beyond it is an
// error, not an attempt (a browser tab would fail or stall far earlier than a native process).
inline constexpr std::uint64_t max_output_bytes = std::uint64_t{256} << 20;
inline constexpr std::uint64_t max_output_floats = max_output_bytes / sizeof(float);

// Positions are integers in [0, max_position] = [0, 2^24]: the range in which float32 (the type the
// reference implementations hold positions in) represents every integer. Angles p * w are formed in
// float64, whose rounding error there is at most 2^24 * 2^-53 = 2e-9 rad, far below float32
// resolution.
inline constexpr std::int64_t max_position = std::int64_t{1} << 24;

}  // namespace posenc
