// SPDX-License-Identifier: MIT
// posenc: rotary position embeddings (RoPE), their context-extension scalings, and xPos.
//
// RoPE (Su et al. 2021, "RoFormer"): pair the first rotary_dim coordinates of each query/key head
// vector and rotate pair i of the vector at position p by the angle p * w_i:
//
//     w_i = 1 / theta^(2i / rotary_dim)                         i = 0 .. rotary_dim/2 - 1
//     (a, b) -> (a cos(p w_i) - b sin(p w_i),  a sin(p w_i) + b cos(p w_i)) * attention_factor
//
// so that <R(m) q, R(n) k> depends only on m - n. Coordinates past rotary_dim pass through
// (partial rotary, rotary_dim = int(head_dim * partial_rotary_factor)).
//
// Which coordinates form pair i (the partner offset):
//
//     half (GPT-NeoX, Hugging Face rotate_half):   pair i = (x[i], x[i + r/2])
//         | a0 a1 ... a_{r/2-1} | b0 b1 ... b_{r/2-1} | pass-through |
//     interleaved (GPT-J, Meta's Llama):           pair i = (x[2i], x[2i + 1])
//         | a0 b0 | a1 b1 | ... | a_{r/2-1} b_{r/2-1} | pass-through |
//
// Scalings (Hugging Face `rope_type`, transformers/modeling_rope_utils.py, the
// `_compute_*_parameters` functions; keys are HF's config names). Each gives w_i and an attention
// factor that multiplies cos and sin:
//   default   w_i as above, factor 1.
//   linear    position interpolation (Chen et al. 2023): w_i / factor.
//   ntk       NTK-aware (bloc97): theta' = theta * factor^(r/(r-2)).
//   dynamic   dynamic NTK: theta' = theta * (factor*L/M - (factor-1))^(r/(r-2)) with
//             L = max(seq_len, M), M = max_position_embeddings; equal to default while L <= M.
//             HF's module keeps state (it grows on longer inputs, resets below M); here the caller
//             passes the sequence length the frequencies are for (stateless).
//   yarn      YaRN (Peng et al. 2023): per-frequency blend of w_i and w_i/factor by a linear ramp over
//             the dimensions between find_correction_dim(beta_fast) and (beta_slow) for the original
//             context (original_max_position_embeddings, else max_position_embeddings; floor/ceil
//             unless truncate is false); attention factor = given, or get_mscale(factor, mscale) /
//             get_mscale(factor, mscale_all_dim) when both are set, else 0.1 ln(factor) + 1.
//   llama3    Llama 3.1: wavelengths 2 pi / w_i longer than original/low_freq_factor divided by
//             factor, shorter than original/high_freq_factor kept, smooth blend in between.
//   longrope  LongRoPE / Phi-3 (Ding et al. 2024): w_i / ext_i with ext = long_factor when
//             seq_len > original_max_position_embeddings, else short_factor; attention factor = given,
//             else sqrt(1 + ln(factor)/ln(original)) (1 when factor <= 1); factor defaults to
//             max_position_embeddings / original_max_position_embeddings.
// Frequencies are computed in float64 from HF's formulas (HF computes them in float32, within
// 1e-7 relative of these).
//
// xPos (Sun et al. 2022, "A Length-Extrapolatable Transformer"; microsoft/torchscale `XPOS`):
// RoPE whose pair i is also scaled by zeta_i^(n / scale_base) for queries and zeta_i^(-n / scale_base)
// for keys, zeta_i = (2i + gamma r) / ((1 + gamma) r), so q.k decays as zeta^((m - n)/scale_base).
// torchscale centres n: n = position - ceil(count / 2), count = the number of positions it covers.
// The scale grows on one side of the centre (zeta < 1); where it would leave float32 (about
// 70 * scale_base positions from the centre with gamma 0.4, the point where torchscale's float32
// scale becomes infinite) rope_apply refuses with a RangeError naming scaleBase.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>

#include "posenc/status.hpp"

namespace posenc {

enum class RopeType : std::int32_t { default_ = 0, linear = 1, ntk = 2, dynamic = 3, yarn = 4, longrope = 5, llama3 = 6 };
enum class RopeLayout : std::int32_t { half = 0, interleaved = 1 };

inline constexpr double rope_unset = std::numeric_limits<double>::quiet_NaN();

// A model's RoPE settings, with Hugging Face's key names. NaN / 0 mean "not given".
struct RopeConfig {
  std::size_t head_dim = 0;
  double rope_theta = 10000.0;
  double partial_rotary_factor = 1.0;
  std::int64_t max_position_embeddings = 0;
  RopeType rope_type = RopeType::default_;
  double factor = rope_unset;
  double attention_factor = rope_unset;
  double beta_fast = 32.0;
  double beta_slow = 1.0;
  double mscale = 0.0;
  double mscale_all_dim = 0.0;
  bool truncate = true;
  double low_freq_factor = 1.0;
  double high_freq_factor = 4.0;
  std::int64_t original_max_position_embeddings = 0;
  std::span<const double> short_factor;
  std::span<const double> long_factor;
};

// rotary_dim = int(head_dim * partial_rotary_factor), as HF computes it.
std::size_t rope_rotary_dim(const RopeConfig& c);

// Inverse frequencies (rotary_dim/2 of them) and the attention factor for a sequence of length
// seq_len (0: not given; only dynamic and longrope look at it).
Status rope_frequencies(const RopeConfig& c, std::int64_t seq_len, std::span<double> inv_freq,
                        double& attention_factor);

// Where and how to rotate.
struct RopeApplyParams {
  std::size_t seq = 0;        // vectors along the sequence
  std::size_t heads = 1;      // heads per position
  std::size_t head_dim = 0;   // coordinates per head
  RopeLayout layout = RopeLayout::half;
  bool inverse = false;       // undo a forward rotation (including its attention factor / xPos scale)
  std::int64_t offset = 0;    // position of row 0 when `positions` is empty
  // xPos (off unless enabled)
  bool xpos = false;
  bool xpos_key = false;      // keys use zeta^(-n/scale_base)
  double xpos_gamma = 0.4;
  double xpos_scale_base = 512.0;
  double xpos_center = rope_unset;  // unset: ceil(count/2), count = largest position + 1
  // Set: x is also checked for NaN/infinity as it is rotated (in the rotation's own loop, so the
  // check costs no second pass over memory): the first one found stops the call with a range error
  // on "x" before the pair holding it is written (the values before it may already be rotated) and
  // its flat index is stored here. Null (default): x is not checked.
  std::size_t* first_non_finite = nullptr;
};

// Rotate x ([seq][heads][head_dim], row-major) in place. inv_freq has rotary_dim/2 entries
// (rotary_dim <= head_dim, even); positions is empty (rows are offset, offset+1, ...) or has seq
// entries. Validates everything; nothing is written on error, except (found block by block as x is
// rotated, in the same pass) a NaN/infinity in x with p.first_non_finite (see there), or a rotated
// value that overflows float32 (|x| near FLT_MAX, times the attention factor or xPos scale): x is
// then zeroed and a RangeError names x.
Status rope_apply(std::span<float> x, const RopeApplyParams& p, std::span<const double> inv_freq,
                  double attention_factor, std::span<const std::int32_t> positions);

// rope_apply in parts, for callers that rotate many slices by the same rows (the attention engine,
// one head at a time): the checks; the xPos centre it uses; the rows [t0, t0 + n) it rotates by,
// cos/sin [n][rotary_dim/2] with the attention factor (inverted when p.inverse) and the xPos scale
// folded in (p.xpos_center must then be set, e.g. from rope_xpos_center), ready for rope_rotate_fast.
Status rope_apply_check(std::size_t x_size, const RopeApplyParams& p, std::span<const double> inv_freq,
                        double attention_factor, std::span<const std::int32_t> positions);
double rope_xpos_center(const RopeApplyParams& p, std::span<const std::int32_t> positions);
void rope_rows(const RopeApplyParams& p, std::span<const double> inv_freq, double attention_factor,
               std::span<const std::int32_t> positions, std::size_t t0, std::size_t n, float* cos, float* sin);

// The cos/sin cache: cos[t][i] = attention_factor * cos(pos_t * w_i) (likewise sin), [n][rotary_dim/2]
// planar. Hugging Face's cos row is cat(cos[t], cos[t]) (half layout).
Status rope_cache(std::span<const double> inv_freq, double attention_factor, std::span<const std::int32_t> positions,
                  std::int64_t offset, std::size_t count, std::span<float> cos, std::span<float> sin);

// The rotation kernel: for every row t and head, rotate the pairs of the layout by (cos[t], sin[t])
// (rows of `cs_stride` floats, rotary_dim/2 used); `inverse` negates the sine. Preconditions checked
// by rope_apply. The reference is a plain loop over pairs with the layout's partner offset; the fast
// version uses xsimd (half: contiguous halves; interleaved: expanded cos/sin and a pair swap).
struct RopeRotateArgs {
  std::size_t seq, heads, head_dim, rotary_dim;
  RopeLayout layout;
  bool inverse;
  const float* cos;
  const float* sin;
  std::size_t cs_stride;
};
void rope_rotate_reference(float* x, const RopeRotateArgs& a);
// rope_rotate_fast also tells whether every value it wrote is finite (the rotated rows of a finite x
// can still overflow float32; it sums each row's outputs on the way and scans a row only when that
// sum is not finite).
bool rope_rotate_fast(float* x, const RopeRotateArgs& a);

// Wavelength (positions per full turn) of each frequency: 2 pi / w_i.
void rope_wavelengths(std::span<const double> inv_freq, std::span<double> out);

}  // namespace posenc
