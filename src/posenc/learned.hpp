// SPDX-License-Identifier: MIT
// posenc: learned absolute position tables (BERT, GPT-2).
//
// A learned absolute encoding is a trained table with one row per position; the model adds row p to
// the token embedding at position p:
//
//     table  : [max_positions][dim], row-major      row p = the vector of position p
//     lookup : out[n] = table[positions[n]]          0 <= positions[n] < max_positions
//
//     table   | row 0 (dim floats) | row 1 | ... | row max_positions-1 |
//     out     | row positions[0]   | row positions[1] | ...             |
//
// There is no row beyond the last: BERT (Devlin et al. 2019; HF transformers
// `BertEmbeddings.position_embeddings`, nn.Embedding(512, 768)) cannot read position 512, GPT-2
// (Radford et al. 2019; HF `GPT2Model.wpe`, nn.Embedding(1024, 768)) cannot read position 1024.
//
// Initialisation. HF `_init_weights` draws both tables from normal(0, initializer_range = 0.02).
// Here a table is filled from a 64-bit seed, deterministically:
//
//     x      = SplitMix64(seed)                      (Steele, Lea, Flood 2014; Vigna's splitmix64.c)
//     u      = (x >> 11) * 2^-53                     uniform in [0, 1)
//     polar  : repeat u1 = 2u - 1, u2 = 2u' - 1, s = u1^2 + u2^2 until 0 < s < 1
//              z1 = u1 * sqrt(-2 ln(s) / s),  z2 = u2 * sqrt(-2 ln(s) / s)
//              (Marsaglia & Bray 1964; Knuth, TAOCP vol. 2, 3.4.1, Algorithm P)
//     table[n] = float32(std * z_n)                  n in row-major order, z1 before z2
//
// So a table with more rows and the same dim begins with the rows of a smaller one.
//
// Determinism. ln is `portable_log` below, made of +, -, *, / and frexp only. With sqrt these are
// correctly rounded IEEE 754 operations, so a seed gives the same bits on every platform that
// evaluates them as written: natively on x86-64 and in WebAssembly (tested with table hashes in
// both). A compiler that fuses a*b+c into an FMA (e.g. GCC's default -ffp-contract=fast on aarch64)
// could change last bits; build with -ffp-contract=off there. (libm's log is not used: glibc's and
// Emscripten's may differ in the last bit.)
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "posenc/random.hpp"
#include "posenc/status.hpp"

namespace posenc {

struct LearnedParams {
  std::size_t max_positions = 0;  // rows: positions 0 .. max_positions-1 have a row
  std::size_t dim = 0;            // columns (model dimension)
};

struct LearnedInit {
  std::uint64_t seed = 0;  // any value; equal seeds give equal tables
  double std = 0.02;       // standard deviation (HF initializer_range); finite, in [0, 1e30]
};

// Presets (HF configs): BERT-base 512 x 768, GPT-2 small 1024 x 768, both std 0.02.
inline constexpr LearnedParams learned_bert{.max_positions = 512, .dim = 768};
inline constexpr LearnedParams learned_gpt2{.max_positions = 1024, .dim = 768};

// Validate the shape and the size of a table span (must equal max_positions * dim).
Status learned_check(const LearnedParams& params, std::size_t table_size);

// Fill `table` ([max_positions][dim]) with normal(0, std) values from the seed. Validates first;
// writes nothing on error.
Status learned_init(const LearnedParams& params, const LearnedInit& init, std::span<float> table);

// out[n * dim .. (n+1) * dim) = row positions[n] of `table`. Every position must be in
// [0, max_positions) and every row read must be finite; out must hold positions.size() * dim floats.
// Validates first; writes nothing on error.
Status learned_lookup(const LearnedParams& params, std::span<const float> table,
                      std::span<const std::int32_t> positions, std::span<float> out);

// Index of the first position outside [0, max_positions), or positions.size() if there is none.
std::size_t learned_first_missing_row(const LearnedParams& params, std::span<const std::int32_t> positions);

// Natural logarithm of a finite x > 0 from IEEE basic operations and frexp only (the same bits
// everywhere): x = (1 + f) * 2^e with 1 + f in [sqrt(1/2), sqrt(2)), ln(1 + f) = 2 atanh(s) with
// s = f / (2 + f), |s| < 0.1716, the series summed to s^23 (truncation below 2^-64 relative) and
// arranged as in fdlibm's __ieee754_log. Error below 1 ulp (tested against long double log).
double portable_log(double x);

}  // namespace posenc
