// SPDX-License-Identifier: MIT
// Fuzz target: the analysis functions: similarity, relative score curves (rope, alibi, t5, kerple),
// RoPE's relative check, permutations and the equivariance error.
#include "fuzz.hpp"
#include "posenc/analysis.hpp"

using namespace posenc;
using namespace posenc::fuzz;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Input in(data, size);
  switch (in.below(4)) {
    case 0: {  // similarity
      const std::size_t rows = in.size(), dim = in.size();
      const std::vector<float> table = in.floats(wrapped({rows, dim}, in.size()));
      std::vector<float> out(wrapped({rows, rows}, in.size()), 7.0f);
      const Status s = similarity(table, rows, dim, static_cast<SimilarityMetric>(in.below(3)), out);
      check_result(s, out);
      if (!s.ok()) POSENC_FUZZ_CHECK(untouched(out, 7.0f));
      break;
    }
    case 1:
    case 2: {  // relative scores and the RoPE check
      RelativeScoreParams p;
      p.method = static_cast<RelativeMethod>(in.below(5));
      const std::vector<double> inv = in.doubles(in.small(0, 40));
      p.inv_freq = inv;
      p.attention_factor = in.flag() ? 1.0 : in.number();
      p.layout = static_cast<RopeLayout>(in.below(3));
      const std::size_t d = in.flag() ? 2 * inv.size() : in.size() % 128;
      const std::vector<float> q = in.floats(d), k = in.floats(in.flag() ? d : in.size() % 128);
      p.q = q;
      p.k = k;
      p.heads = in.size();
      p.t5 = {.bidirectional = in.flag(), .num_buckets = in.flag() ? 32 : std::int32_t(in.integer()),
              .max_distance = in.flag() ? 128 : std::int32_t(in.integer())};
      const std::vector<float> t5_table = in.floats(in.flag() ? wrapped({std::size_t(p.t5.num_buckets), p.heads}) : in.small(0, 64));
      p.t5_table = t5_table;
      p.kerple_variant = static_cast<KerpleVariant>(in.below(3));
      const std::vector<float> r1 = in.floats(in.flag() ? p.heads % 512 : 2), r2 = in.floats(in.flag() ? p.heads % 512 : 2);
      p.kerple_r1 = r1;
      p.kerple_r2 = r2;
      const std::vector<std::int32_t> dist = in.ints(in.small(0, 32), -(1 << 24), 1 << 24);
      std::vector<float> out(wrapped({relative_heads(p), dist.size()}, in.size()), 7.0f);
      const Status s = relative_scores(p, dist, out);
      check_result(s, out);
      if (!s.ok()) POSENC_FUZZ_CHECK(untouched(out, 7.0f));
      RelativeCheck rc;
      const Status cs = rope_relative_check(p, dist, in.integer(), in.flag() ? in.small(0, 64) : in.size(), rc);
      check_status(cs);
      if (cs.ok()) POSENC_FUZZ_CHECK(std::isfinite(rc.deviation) && std::isfinite(rc.bound));
      break;
    }
    default: {  // permutations
      std::vector<std::int32_t> perm(in.small(0, 300));
      const Status ps = random_permutation(in.take<std::uint64_t>(), perm);
      check_status(ps);
      if (in.flag())
        for (std::int32_t& x : perm) x = in.flag() ? x : std::int32_t(in.integer());
      const std::size_t row = in.size();
      const std::vector<float> x = in.floats(wrapped({perm.size(), row}, in.size()));
      std::vector<float> y(in.flag() ? x.size() : in.size() % 512, 7.0f);
      const Status s = permute_rows(x, row, perm, y);
      check_status(s);
      if (!s.ok()) POSENC_FUZZ_CHECK(untouched(y, 7.0f));
      double err = -1;
      check_status(equivariance_error(x, y, row, perm, err));
      break;
    }
  }
  return 0;
}
