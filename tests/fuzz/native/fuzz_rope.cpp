// SPDX-License-Identifier: MIT
// Fuzz target: RoPE frequencies (every scaling, HF config fields), apply (RoPE and xPos, both
// layouts, inverse, positions or offset), the cos/sin cache and wavelengths.
#include "fuzz.hpp"
#include "posenc/rope.hpp"

using namespace posenc;
using namespace posenc::fuzz;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Input in(data, size);
  // Frequencies from a config.
  RopeConfig c;
  c.head_dim = in.size();
  c.rope_theta = in.flag() ? 10000.0 : in.number();
  c.partial_rotary_factor = in.flag() ? 1.0 : in.number();
  c.max_position_embeddings = in.integer();
  c.rope_type = static_cast<RopeType>(in.below(9));
  if (in.flag()) c.factor = in.number();
  if (in.flag()) c.attention_factor = in.number();
  c.beta_fast = in.flag() ? 32.0 : in.number();
  c.beta_slow = in.flag() ? 1.0 : in.number();
  c.mscale = in.flag() ? 0.0 : in.number();
  c.mscale_all_dim = in.flag() ? 0.0 : in.number();
  c.truncate = in.flag();
  c.low_freq_factor = in.flag() ? 1.0 : in.number();
  c.high_freq_factor = in.flag() ? 4.0 : in.number();
  c.original_max_position_embeddings = in.integer();
  const std::size_t r = rope_rotary_dim(c);
  const std::vector<double> short_factor = in.doubles(in.flag() ? r / 2 % 300 : in.small(0, 8));
  const std::vector<double> long_factor = in.doubles(in.flag() ? r / 2 % 300 : in.small(0, 8));
  c.short_factor = short_factor;
  c.long_factor = long_factor;
  std::vector<double> inv(in.flag() ? r / 2 % (max_buffer + 1) : in.small(0, 8), -1.0);
  double af = -1.0;
  const Status fs = rope_frequencies(c, in.integer(), inv, af);
  check_status(fs);
  if (fs.ok()) {
    POSENC_FUZZ_CHECK(all_finite(inv) && std::isfinite(af));
    std::vector<double> wl(inv.size());
    rope_wavelengths(inv, wl);
  }

  // Apply, with the frequencies above or raw ones.
  RopeApplyParams p;
  p.seq = in.size();
  p.heads = in.size();
  p.head_dim = in.size();
  p.layout = static_cast<RopeLayout>(in.below(3));
  p.inverse = in.flag();
  p.offset = in.integer();
  p.xpos = in.flag();
  p.xpos_key = in.flag();
  p.xpos_gamma = in.flag() ? 0.4 : in.number();
  p.xpos_scale_base = in.flag() ? 512.0 : in.number();
  if (in.flag()) p.xpos_center = in.number();
  const std::vector<double> freq = fs.ok() && in.flag() ? inv : in.doubles(in.small(0, 70));
  const double factor = in.flag() ? 1.0 : in.number();
  const std::vector<std::int32_t> positions =
      in.flag() ? std::vector<std::int32_t>{} : in.ints(in.flag() ? p.seq % 512 : in.small(0, 8), 0, 1 << 24);
  std::vector<float> x = in.floats(wrapped({p.seq, p.heads, p.head_dim}, in.size()));
  const std::vector<float> before = x;
  const Status as = rope_apply(x, p, freq, factor, positions);
  if (all_finite(before)) {
    check_result(as, x);  // finite x: finite results or a named error
  } else {
    check_status(as);
  }
  if (!as.ok() && std::string_view(as.param) != "x") POSENC_FUZZ_CHECK(same_bits(x, before));
  if (as.ok() && !p.xpos && all_finite(before)) {
    // The inverse rotation gives x back (up to rounding) when nothing was scaled by xPos.
    RopeApplyParams q = p;
    q.inverse = !p.inverse;
    check_status(rope_apply(x, q, freq, factor, positions));
  }

  // The cos/sin cache.
  const std::size_t count = in.size();
  const std::size_t n = wrapped({count, freq.size()}, in.size());
  std::vector<float> cs(n, 7.0f), sn(n, 7.0f);
  const Status cst = rope_cache(freq, factor, positions, p.offset, count, cs, sn);
  check_result(cst, cs, sn);
  if (!cst.ok()) POSENC_FUZZ_CHECK(untouched(cs, 7.0f) && untouched(sn, 7.0f));
  return 0;
}
