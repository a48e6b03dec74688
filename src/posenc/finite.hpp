// SPDX-License-Identifier: MIT
// posenc: finding the first NaN or infinity in float data (the package's argument checks run it
// over large inputs after copying them into the WebAssembly heap, where it is a SIMD scan).
#pragma once

#include <cstddef>
#include <span>

namespace posenc {

// Index of the first element that is NaN or infinite, or data.size() if there is none.
std::size_t first_non_finite(std::span<const float> data);
std::size_t first_non_finite(std::span<const double> data);

// No NaN or infinity in `data` (the same SIMD scan).
inline bool all_finite(std::span<const float> data) { return first_non_finite(data) == data.size(); }

}  // namespace posenc
