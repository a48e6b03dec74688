// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "posenc/shaw.hpp"
#include "posenc/simd.hpp"

using posenc::Errc;
using posenc::ShawParams;

namespace {

constexpr double u32 = 0x1p-24;  // float32 unit roundoff
const double inf = std::numeric_limits<double>::infinity();

// Deterministic test data: a [rows][dim] matrix of amp * sin(a n + b).
std::vector<float> data(std::size_t rows, std::size_t dim, double a, double b, double amp = 1.0) {
  std::vector<float> x(rows * dim);
  for (std::size_t n = 0; n < x.size(); ++n) x[n] = static_cast<float>(amp * std::sin(a * double(n) + b));
  return x;
}

struct Inputs {
  std::vector<float> q, k, v, tk, tv;
  posenc::ShawInputs spans() const { return {q, k, v, tk, tv}; }
};

Inputs inputs(const ShawParams& p, double table_amp = 0.7) {
  const std::size_t rows = 2 * p.max_distance + 1;
  return {data(p.queries, p.dim, 0.37, 0.1, 2.5), data(p.keys, p.dim, 0.91, 0.4, 1.5), data(p.keys, p.dim, 0.23, 1.2),
          data(rows, p.dim, 1.7, 0.2, table_amp), data(rows, p.dim, 0.53, 2.1, table_amp)};
}

struct Result {
  std::vector<float> logits, weights, output;
  posenc::ShawOutputs spans() { return {logits, weights, output}; }
};

Result alloc(const ShawParams& p) {
  return {std::vector<float>(p.queries * p.keys, 9.0f), std::vector<float>(p.queries * p.keys, 9.0f),
          std::vector<float>(p.queries * p.dim, 9.0f)};
}

Result run(const ShawParams& p, const Inputs& in) {
  Result r = alloc(p);
  const posenc::Status s = posenc::shaw_attention(p, in.spans(), r.spans());
  REQUIRE_MESSAGE(s.ok(), s.param << ": " << s.message);
  return r;
}

Result run_reference(const ShawParams& p, const Inputs& in) {
  Result r = alloc(p);
  REQUIRE(posenc::shaw_check(p, in.spans(), r.spans()).ok());
  posenc::shaw_attention_reference(p, in.spans(), r.spans());
  return r;
}

// Independent float64 attention, written from the paper's equations term by term:
// e_ij = (q_i . k_j + q_i . aK_r) / sqrt(d), softmax, z_i = sum_j a_ij v_j + sum_j a_ij aV_r.
// Also returns S_ij = sum_t |q_it| (|k_jt| + |aK_rt|), the scale of the float32 dot-product error.
struct Exact {
  std::vector<double> logits, weights, output, scale;
};

Exact exact(const ShawParams& p, const Inputs& in) {
  const std::size_t d = p.dim, nq = p.queries, nk = p.keys;
  const long k = long(p.max_distance);
  Exact x{std::vector<double>(nq * nk), std::vector<double>(nq * nk), std::vector<double>(nq * d, 0.0),
          std::vector<double>(nq * nk, 0.0)};
  for (std::size_t i = 0; i < nq; ++i) {
    const long qpos = long(p.query_offset) + long(i);
    double m = -inf;
    for (std::size_t j = 0; j < nk; ++j) {
      const long rel = std::min(std::max(long(j) - qpos, -k), k);
      const std::size_t r = std::size_t(rel + k);
      double qk = 0.0, qa = 0.0;
      for (std::size_t t = 0; t < d; ++t) {
        qk += double(in.q[i * d + t]) * in.k[j * d + t];
        qa += double(in.q[i * d + t]) * in.tk[r * d + t];
        x.scale[i * nk + j] += std::abs(in.q[i * d + t]) * (std::abs(in.k[j * d + t]) + std::abs(in.tk[r * d + t]));
      }
      const bool masked = p.causal && long(j) > qpos;
      x.logits[i * nk + j] = masked ? -inf : (qk + qa) / std::sqrt(double(d));
      m = std::max(m, x.logits[i * nk + j]);
    }
    double sum = 0.0;
    for (std::size_t j = 0; j < nk; ++j) sum += std::exp(x.logits[i * nk + j] - m);
    for (std::size_t j = 0; j < nk; ++j) {
      const double a = std::exp(x.logits[i * nk + j] - m) / sum;
      x.weights[i * nk + j] = a;
      const long rel = std::min(std::max(long(j) - qpos, -k), k);
      for (std::size_t t = 0; t < d; ++t)
        x.output[i * d + t] += a * in.v[j * d + t] + a * in.tv[std::size_t(rel + k) * d + t];
    }
  }
  return x;
}

double max_abs(const std::vector<float>& x) {
  double m = 0.0;
  for (float v : x) m = std::max(m, double(std::abs(v)));
  return m;
}

// Compare a float32 result with the exact one. `dot_error` scales the float32 dot-product error
// bound: (d + 4) u S_ij / sqrt(d) for the fast kernel (gamma_n ~ n u per dot product, plus the sum and
// the scaling), 0 for the float64 reference (one final rounding). Logit errors of at most D in a row
// change a weight by at most a (exp(2D) - 1); an output then moves by at most sum_j |da_j| * M, with
// M = max|v| + max|aV|, plus its float32 accumulation over 2 keys + 2 terms.
void check_against_exact(const ShawParams& p, const Inputs& in, const Result& got, const Exact& x, double dot_error) {
  const std::size_t nq = p.queries, nk = p.keys, d = p.dim;
  const double M = max_abs(in.v) + max_abs(in.tv);
  for (std::size_t i = 0; i < nq; ++i) {
    double row_d = 0.0, weight_tol_sum = 0.0, wsum = 0.0;
    for (std::size_t j = 0; j < nk; ++j) {
      const std::size_t n = i * nk + j;
      if (x.logits[n] == -inf) {
        CHECK(got.logits[n] == -INFINITY);
        CHECK(got.weights[n] == 0.0f);
        continue;
      }
      const double tol =
          dot_error * (double(d) + 4) * u32 * x.scale[n] / std::sqrt(double(d)) + u32 * std::abs(x.logits[n]);
      CHECK(std::abs(got.logits[n] - x.logits[n]) <= tol);
      row_d = std::max(row_d, tol);
    }
    for (std::size_t j = 0; j < nk; ++j) {
      const std::size_t n = i * nk + j;
      const double tol = x.weights[n] * std::expm1(2 * row_d) + 2 * u32 * x.weights[n] + 1e-30;
      CHECK(std::abs(got.weights[n] - x.weights[n]) <= tol);
      weight_tol_sum += tol;
      wsum += got.weights[n];
    }
    CHECK(std::abs(wsum - 1.0) <= 2 * double(nk) * u32);  // each weight rounded once or twice
    for (std::size_t t = 0; t < d; ++t) {
      const double tol = (weight_tol_sum + (2 * double(nk) + 4) * u32) * M;
      CHECK(std::abs(got.output[i * d + t] - x.output[i * d + t]) <= tol);
    }
  }
}

}  // namespace

TEST_CASE("shaw: relative indices, hand-checked") {
  auto indices = [](ShawParams p) {
    std::vector<std::int32_t> out(p.queries * p.keys, -5);
    REQUIRE(posenc::shaw_indices(p, out).ok());
    return out;
  };
  // k = 2, 5 x 5, offset 0: idx = clip(j - i, -2, 2) + 2.
  CHECK(indices({.queries = 5, .keys = 5, .max_distance = 2}) == std::vector<std::int32_t>{2, 3, 4, 4, 4,  //
                                                                                           1, 2, 3, 4, 4,  //
                                                                                           0, 1, 2, 3, 4,  //
                                                                                           0, 0, 1, 2, 3,  //
                                                                                           0, 0, 0, 1, 2});
  // The last 2 of 5 positions as queries (offset 3, tensor2tensor's range_vec_k[-length_q:]).
  CHECK(indices({.queries = 2, .keys = 5, .max_distance = 2, .query_offset = 3}) ==
        std::vector<std::int32_t>{0, 0, 1, 2, 3,  //
                                  0, 0, 0, 1, 2});
  // k = 1, 3 x 4, offset 1: rows are queries at positions 1, 2, 3.
  CHECK(indices({.queries = 3, .keys = 4, .max_distance = 1, .query_offset = 1}) ==
        std::vector<std::int32_t>{0, 1, 2, 2,  //
                                  0, 0, 1, 2,  //
                                  0, 0, 0, 1});
  // k = 0: one row for every distance.
  for (std::int32_t x : indices({.queries = 3, .keys = 4, .max_distance = 0})) CHECK(x == 0);
  // A query far after every key: all keys in the first row.
  for (std::int32_t x : indices({.queries = 2, .keys = 3, .max_distance = 4, .query_offset = 100})) CHECK(x == 0);
}

TEST_CASE("shaw: clipping sends every distance beyond k to the end rows") {
  const ShawParams p{.queries = 9, .keys = 40, .max_distance = 3, .query_offset = 20};
  std::vector<std::int32_t> out(p.queries * p.keys);
  REQUIRE(posenc::shaw_indices(p, out).ok());
  int first = 0, last = 0, interior = 0;
  for (std::size_t i = 0; i < p.queries; ++i) {
    for (std::size_t j = 0; j < p.keys; ++j) {
      const int dist = int(j) - int(20 + i), idx = out[i * p.keys + j];
      if (dist <= -3)
        first += idx == 0;
      else if (dist >= 3)
        last += idx == 6;
      else
        interior += idx == dist + 3;
    }
  }
  // Per query at position P: P - 2 keys at distance <= -3, 40 - (P + 3) at >= 3, 5 in between.
  CHECK(first == 198);    // sum over P = 20..28 of (P - 2)
  CHECK(last == 117);     // sum over P = 20..28 of (37 - P)
  CHECK(interior == 45);  // 9 * 5
}

TEST_CASE("shaw: zero tables give plain scaled dot-product attention") {
  for (bool causal : {false, true}) {
    const ShawParams p{.queries = 5, .keys = 7, .dim = 6, .max_distance = 2, .query_offset = 2, .causal = causal};
    Inputs in = inputs(p);
    std::fill(in.tk.begin(), in.tk.end(), 0.0f);
    std::fill(in.tv.begin(), in.tv.end(), 0.0f);
    const Result got = run(p, in);
    const double M = max_abs(in.v);
    for (std::size_t i = 0; i < p.queries; ++i) {
      // softmax(q K^T / sqrt(d)) V over the visible keys, in float64, without any table.
      std::vector<double> e(p.keys, -inf);
      double m = -inf, sum = 0.0;
      for (std::size_t j = 0; j < p.keys; ++j) {
        if (causal && j > 2 + i) continue;
        double s = 0.0;
        for (std::size_t t = 0; t < p.dim; ++t) s += double(in.q[i * 6 + t]) * in.k[j * 6 + t];
        e[j] = s / std::sqrt(6.0);
        m = std::max(m, e[j]);
      }
      for (double x : e) sum += std::exp(x - m);
      for (std::size_t t = 0; t < p.dim; ++t) {
        double z = 0.0;
        for (std::size_t j = 0; j < p.keys; ++j) z += std::exp(e[j] - m) / sum * in.v[j * 6 + t];
        CHECK(std::abs(got.output[i * 6 + t] - z) <= 1e-6 * M);
      }
      for (std::size_t j = 0; j < p.keys; ++j) {
        CHECK(got.weights[i * 7 + j] == doctest::Approx(std::exp(e[j] - m) / sum).epsilon(1e-6));
        if (e[j] == -inf)
          CHECK(got.logits[i * 7 + j] == -INFINITY);
        else
          CHECK(std::abs(got.logits[i * 7 + j] - e[j]) <= 1e-6 * (1 + std::abs(e[j])));
      }
    }
  }
}

TEST_CASE("shaw: fast (xsimd) kernel and float64 reference against an independent implementation, awkward sizes") {
  INFO("fast kernels: " << posenc::simd::arch_name());
  struct Shape {
    std::size_t queries, keys, k;
    std::int64_t offset;
  };
  // Odd sizes, k beyond the keys, more queries than keys, and many clipped keys on both sides.
  const Shape shapes[] = {{1, 1, 0, 0}, {1, 1, 3, 0},   {3, 5, 1, 2},    {7, 7, 2, 0},   {5, 9, 3, 4},
                          {9, 5, 3, 0}, {3, 11, 20, 8}, {13, 33, 4, 20}, {1, 17, 2, 16}, {3, 301, 4, 149}};
  for (std::size_t d : {2u, 6u, 62u, 130u}) {
    for (const Shape& s : shapes) {
      for (bool causal : {false, true}) {
        const ShawParams p{.queries = s.queries,
                           .keys = s.keys,
                           .dim = d,
                           .max_distance = s.k,
                           .query_offset = s.offset,
                           .causal = causal};
        const Inputs in = inputs(p);
        const Exact x = exact(p, in);
        CAPTURE(d);
        CAPTURE(s.queries);
        CAPTURE(s.keys);
        CAPTURE(s.k);
        CAPTURE(causal);
        const Result fast = run(p, in), ref = run_reference(p, in);
        check_against_exact(p, in, fast, x, 1.0);
        check_against_exact(p, in, ref, x, 0.0);
        // The xsimd kernel against the scalar reference directly (the reference's rounding is
        // within the u |e| and 2 u a terms of the bound).
        Exact r = x;
        r.logits.assign(ref.logits.begin(), ref.logits.end());
        r.weights.assign(ref.weights.begin(), ref.weights.end());
        r.output.assign(ref.output.begin(), ref.output.end());
        check_against_exact(p, in, fast, r, 1.0);
      }
    }
  }
}

TEST_CASE("shaw: causal rows see only keys at or before the query") {
  const ShawParams p{.queries = 4, .keys = 9, .dim = 5, .max_distance = 2, .query_offset = 5, .causal = true};
  const Inputs in = inputs(p);
  const Result r = run(p, in);
  for (std::size_t i = 0; i < 4; ++i) {
    double sum = 0.0;
    for (std::size_t j = 0; j < 9; ++j) {
      const bool visible = j <= 5 + i;
      CHECK((r.weights[i * 9 + j] > 0.0f) == visible);
      CHECK((r.logits[i * 9 + j] == -INFINITY) == !visible);
      sum += r.weights[i * 9 + j];
    }
    CHECK(sum == doctest::Approx(1.0).epsilon(1e-6));
  }
}

TEST_CASE("shaw: logits depend on relative positions only") {
  // Shift every position by s: queries at offset + s, and s extra keys in front of the same keys.
  // The logits of the original keys are the same bits (same dot products, same table rows).
  for (std::size_t s : {1u, 4u, 37u}) {
    const ShawParams p{.queries = 5, .keys = 8, .dim = 62, .max_distance = 3, .query_offset = 3, .causal = true};
    const Inputs in = inputs(p);
    ShawParams ps = p;
    ps.keys += s;
    ps.query_offset += std::int64_t(s);
    Inputs shifted = inputs(ps);
    shifted.q = in.q;
    shifted.tk = in.tk;
    shifted.tv = in.tv;
    std::copy(in.k.begin(), in.k.end(), shifted.k.begin() + s * p.dim);
    const Result a = run(p, in), b = run(ps, shifted);
    for (std::size_t i = 0; i < p.queries; ++i)
      for (std::size_t j = 0; j < p.keys; ++j) CHECK(b.logits[i * ps.keys + s + j] == a.logits[i * p.keys + j]);
  }
  // Content-free keys (k = 0) and one query vector for every row: the logits are a function of j - pos
  // alone, constant along diagonals and constant beyond distance k.
  const ShawParams p{.queries = 7, .keys = 12, .dim = 6, .max_distance = 2, .query_offset = 3};
  Inputs in = inputs(p);
  std::fill(in.k.begin(), in.k.end(), 0.0f);
  for (std::size_t i = 1; i < p.queries; ++i) std::copy_n(in.q.begin(), 6, in.q.begin() + i * 6);
  const Result r = run(p, in);
  for (std::size_t i = 0; i + 1 < p.queries; ++i)
    for (std::size_t j = 0; j + 1 < p.keys; ++j) CHECK(r.logits[(i + 1) * 12 + j + 1] == r.logits[i * 12 + j]);
  CHECK(r.logits[0 * 12 + 0] == r.logits[0 * 12 + 1]);    // distances -3 and -2: both row 0
  CHECK(r.logits[0 * 12 + 11] == r.logits[0 * 12 + 10]);  // distances 8 and 7: both row 4
  CHECK(r.logits[0 * 12 + 2] != r.logits[0 * 12 + 3]);    // distances -1 and 0: rows 1 and 2
}

TEST_CASE("shaw: bad parameters are refused, and nothing is written") {
  const ShawParams good{.queries = 3, .keys = 4, .dim = 5, .max_distance = 2, .query_offset = 1};
  struct Case {
    const char* param;
    ShawParams p;
    void (*edit)(Inputs&);
  };
  const auto none = [](Inputs&) {};
  auto with = [&](auto f) {
    ShawParams p = good;
    f(p);
    return p;
  };
  const Case cases[] = {
      {"queries", with([](ShawParams& p) { p.queries = 0; }), none},
      {"queries", with([](ShawParams& p) { p.queries = (1u << 24) + 2; }), none},
      {"keys", with([](ShawParams& p) { p.keys = 0; }), none},
      {"keys", with([](ShawParams& p) { p.keys = (1u << 24) + 2; }), none},
      {"dim", with([](ShawParams& p) { p.dim = 0; }), none},
      {"maxDistance", with([](ShawParams& p) { p.max_distance = (1u << 24) + 1; }), none},
      {"queryOffset", with([](ShawParams& p) { p.query_offset = -1; }), none},
      {"queryOffset", with([](ShawParams& p) { p.query_offset = posenc::max_position - 1; }), none},
      {"queries", with([](ShawParams& p) { p.queries = p.keys = 1u << 13; }), none},  // 2 * 2^26 floats
      {"q", good, [](Inputs& in) { in.q.pop_back(); }},
      {"k", good, [](Inputs& in) { in.k.push_back(0.0f); }},
      {"v", good, [](Inputs& in) { in.v.pop_back(); }},
      {"tableK", good, [](Inputs& in) { in.tk.resize(4 * 5); }},
      {"tableV", good, [](Inputs& in) { in.tv.resize(6 * 5); }},
      {"q", good, [](Inputs& in) { in.q[7] = NAN; }},
      {"k", good, [](Inputs& in) { in.k[0] = INFINITY; }},
      {"v", good, [](Inputs& in) { in.v[19] = -INFINITY; }},
      {"tableK", good, [](Inputs& in) { in.tk[3] = NAN; }},
      {"tableV", good, [](Inputs& in) { in.tv[24] = NAN; }},
      {"q", good,
       [](Inputs& in) {  // |q| |k| = 5e38: a logit could overflow
         std::fill(in.q.begin(), in.q.end(), 1e19f);
         std::fill(in.k.begin(), in.k.end(), 1e19f);
       }},
      {"v", good, [](Inputs& in) { in.v[2] = 3e38f; }},
  };
  for (const Case& c : cases) {
    CAPTURE(c.param);
    const bool huge = c.p.queries * c.p.keys > 100000 || c.p.max_distance > 100000;  // no data needed
    Inputs in = huge ? Inputs{} : inputs(c.p);
    c.edit(in);
    Result r = huge ? Result{} : alloc(c.p);
    const posenc::Status s = posenc::shaw_attention(c.p, in.spans(), r.spans());
    CHECK(s.code == Errc::range_error);
    CHECK(std::string(s.param) == c.param);
    for (const auto* out : {&r.logits, &r.weights, &r.output})
      CHECK(std::all_of(out->begin(), out->end(), [](float x) { return x == 9.0f; }));
  }
  // Output spans of the wrong size.
  const Inputs in = inputs(good);
  for (const char* name : {"logits", "weights", "output"}) {
    Result r = alloc(good);
    if (name == std::string("logits")) r.logits.pop_back();
    if (name == std::string("weights")) r.weights.push_back(0.0f);
    if (name == std::string("output")) r.output.pop_back();
    CHECK(std::string(posenc::shaw_attention(good, in.spans(), r.spans()).param) == name);
  }
  // Indices: the same position checks, and the size of out.
  std::vector<std::int32_t> idx(12, 7);
  CHECK(std::string(posenc::shaw_indices(with([](ShawParams& p) { p.query_offset = -2; }), idx).param) ==
        "queryOffset");
  CHECK(std::string(posenc::shaw_indices(good, std::span(idx).first(11)).param) == "out");
  CHECK(std::all_of(idx.begin(), idx.end(), [](std::int32_t x) { return x == 7; }));
  // The largest query position is accepted.
  std::vector<std::int32_t> one(2);
  CHECK(posenc::shaw_indices({.queries = 1, .keys = 2, .max_distance = 1, .query_offset = posenc::max_position}, one)
            .ok());
  CHECK(one == std::vector<std::int32_t>{0, 0});
}
