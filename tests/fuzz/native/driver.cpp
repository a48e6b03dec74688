// SPDX-License-Identifier: MIT
// A standalone driver for the fuzz targets where libFuzzer cannot run (the WebAssembly build, a
// 32-bit build on a kernel without libFuzzer's runtime): replays every file of the corpus folders
// given, then feeds mutated corpus entries and random inputs for the given number of seconds.
//
//   target [-seconds=N] [-seed=S] DIR_OR_FILE...
//
// Mutations: byte flips, random bytes, truncation, insertion and splicing of two entries, from a
// SplitMix64 stream (the same inputs for the same seed). The first failing input is written to
// ./crash-standalone (the sanitizers abort the process; the file holds the input of that run).
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

using Bytes = std::vector<std::uint8_t>;

std::uint64_t next(std::uint64_t& s) {
  std::uint64_t z = (s += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

Bytes read(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(f), {});
}

void run(const Bytes& b) {
  {  // saved first, so that the input of a run the sanitizers abort is on disk
    std::ofstream f("crash-standalone", std::ios::binary | std::ios::trunc);
    f.write(reinterpret_cast<const char*>(b.data()), std::streamsize(b.size()));
  }
  LLVMFuzzerTestOneInput(b.empty() ? nullptr : b.data(), b.size());
}

Bytes mutate(const std::vector<Bytes>& corpus, std::uint64_t& s) {
  Bytes b = corpus.empty() || next(s) % 8 == 0 ? Bytes(next(s) % 256) : corpus[next(s) % corpus.size()];
  const int edits = 1 + int(next(s) % 8);
  for (int e = 0; e < edits; ++e) {
    switch (next(s) % 5) {
      case 0:
        if (!b.empty()) b[next(s) % b.size()] ^= std::uint8_t(1u << (next(s) % 8));
        break;
      case 1:
        if (!b.empty()) b[next(s) % b.size()] = std::uint8_t(next(s));
        break;
      case 2:
        if (!b.empty()) b.resize(next(s) % b.size());
        break;
      case 3:
        b.insert(b.begin() + std::ptrdiff_t(b.empty() ? 0 : next(s) % b.size()), std::uint8_t(next(s)));
        break;
      default:
        if (!corpus.empty()) {
          const Bytes& o = corpus[next(s) % corpus.size()];
          const std::size_t cut = b.empty() ? 0 : next(s) % b.size(), from = o.empty() ? 0 : next(s) % o.size();
          b.resize(cut);
          b.insert(b.end(), o.begin() + std::ptrdiff_t(from), o.end());
        }
    }
  }
  if (b.size() > 4096) b.resize(4096);
  return b;
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 0;
  std::uint64_t seed = 1;
  std::vector<Bytes> corpus;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a.rfind("-seconds=", 0) == 0) {
      seconds = std::atof(a.c_str() + 9);
    } else if (a.rfind("-seed=", 0) == 0) {
      seed = std::strtoull(a.c_str() + 6, nullptr, 10);
    } else if (std::filesystem::is_directory(a)) {
      for (const auto& e : std::filesystem::directory_iterator(a))
        if (e.is_regular_file()) corpus.push_back(read(e.path()));
    } else {
      corpus.push_back(read(a));
    }
  }
  for (const Bytes& b : corpus) run(b);
  std::printf("standalone: replayed %zu corpus inputs\n", corpus.size());
  const auto start = std::chrono::steady_clock::now();
  std::uint64_t s = seed, runs = 0;
  while (std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() < seconds) {
    run(mutate(corpus, s));
    ++runs;
  }
  std::remove("crash-standalone");
  std::printf("standalone: %llu mutated inputs in %.0f s, no failure\n", static_cast<unsigned long long>(runs), seconds);
  return 0;
}
