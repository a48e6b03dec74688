// SPDX-License-Identifier: MIT
// Print a few rows of a sinusoidal position table.
//   sinusoidal_rows [length] [dim] [vaswani|fairseq]
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "posenc/simd.hpp"
#include "posenc/sinusoidal.hpp"

int main(int argc, char** argv) {
  posenc::SinusoidalParams p{.length = 4, .dim = 8};
  if (argc > 1) p.length = std::strtoul(argv[1], nullptr, 10);
  if (argc > 2) p.dim = std::strtoul(argv[2], nullptr, 10);
  if (argc > 3 && std::strcmp(argv[3], "fairseq") == 0) p.layout = posenc::SinusoidalLayout::fairseq;

  std::vector<float> table(p.length * p.dim);
  if (const posenc::Status s = posenc::sinusoidal_table(p, table); !s.ok()) {
    std::fprintf(stderr, "sinusoidal_rows: %s %s\n", s.param, s.message);
    return 2;
  }
  std::printf("sinusoidal %s table, %zu x %zu (kernels: %s)\n",
              p.layout == posenc::SinusoidalLayout::fairseq ? "fairseq" : "vaswani", p.length, p.dim,
              posenc::simd::arch_name());
  for (std::size_t r = 0; r < p.length && r < 6; ++r) {
    std::printf("pos %4zu:", r);
    for (std::size_t c = 0; c < p.dim && c < 8; ++c) std::printf(" % .6f", table[r * p.dim + c]);
    std::printf(p.dim > 8 ? " ...\n" : "\n");
  }
  return 0;
}
