//===- TritDensityBench.cpp - 1.6-bit against 2-bit ternary decode --------===//
//
// ternc-trit-density-bench [--repetitions N]
//
// Does a denser ternary layout make decode faster? Times one decode token's
// matmuls (ffn_gate_up shape, 6912 x 2560, rows split between the threads,
// weights rotating through ~1 GB of huge-page memory so that they come from
// memory) with x86-avx512's bitlinear_i2s on I2_S (2 bits per weight) and
// with the five-trit prototype (TritDensity.h, 1.6 bits), beside the
// read-bandwidth probe, with 1 and 2 threads taking turns in every
// repetition (default 5). Prints the medians: GB/s read, billions of trits
// per second, and the share of the probe. A layout wins where it decodes
// more trits per second; a bandwidth-bound decode reads at the probe's rate,
// a compute-bound one below it. The five-trit dots are checked against a
// scalar decode first. A benchmark, not a test: nothing asserts a time.
//
//===----------------------------------------------------------------------===//

#include "bench/BenchSupport.h"
#include "bench/TritDensity.h"

#include "backends/x86-avx512/Avx512Kernels.h"

#include <fmt/format.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

using namespace ternc::bench;

namespace {

constexpr int kThreadCounts[] = {1, 2};
constexpr int64_t kRows = 6912, kIn = 2560;
/// Bytes of weights each layout rotates through.
constexpr int64_t kPoolBytes = int64_t(1) << 30;
/// Rows per thread are a multiple of this (the I2_S row interleave divides it).
constexpr int64_t kRowGrain = 16;

/// `bytes` in huge-page memory.
struct Pool {
  HugePageMemory memory;
  int64_t matrixBytes, matrices;
  Pool(const std::vector<uint8_t> &bytes, int64_t matrixBytes)
      : memory(static_cast<int64_t>(bytes.size())), matrixBytes(matrixBytes),
        matrices(static_cast<int64_t>(bytes.size()) / matrixBytes) {
    std::memcpy(memory.data(), bytes.data(), bytes.size());
  }
  const uint8_t *matrix(int64_t index) const {
    return static_cast<const uint8_t *>(memory.data()) +
           index % matrices * matrixBytes;
  }
};

/// Rows [begin, end) of thread `part` of `parts`.
Slice rowsOf(int part, int parts) {
  const int64_t share = kRows / parts / kRowGrain * kRowGrain;
  return {part * share, part + 1 == parts ? kRows : (part + 1) * share};
}

/// Seconds for one pass over every matrix of `pool`, each thread calling
/// `dots(matrix, rows)` on its rows of the next matrix, all waiting for all.
template <typename Dots>
double timePass(const Pool &pool, PartRunner &runner, const Dots &dots) {
  const auto start = std::chrono::steady_clock::now();
  for (int64_t m = 0; m < pool.matrices; ++m)
    runner.run([&](int part) {
      dots(pool.matrix(m), rowsOf(part, runner.parts()));
    });
  return std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                       start)
      .count();
}

} // namespace

int main(int argc, char **argv) {
  int repetitions = 5;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    char *end = nullptr;
    if (flag == "--repetitions" && i + 1 < argc &&
        (repetitions = static_cast<int>(std::strtol(argv[++i], &end, 10)),
         *end == '\0' && repetitions >= 1))
      continue;
    fmt::print(stderr, "usage: ternc-trit-density-bench [--repetitions N>=1]\n");
    return 2;
  }
  const TernKernels *avx512 = ternX86Avx512Kernels();
  if (!avx512 || !tritDensitySupported()) {
    fmt::print(stderr, "ternc-trit-density-bench: needs AVX-512 "
                       "F/BW/VNNI/VBMI, which this CPU lacks\n");
    return 1;
  }
  const Pool i2s(randomI2SBytes(kPoolBytes, 1), kRows * kIn / 4);
  const Pool fiveTrit(randomFiveTritBytes(kPoolBytes / 2 * 5, 2),
                      kRows * kIn / 5);
  std::vector<int8_t> q(kIn);
  for (int64_t k = 0; k < kIn; ++k)
    q[k] = static_cast<int8_t>(k * 37 % 255 - 127);

  // The prototype computes what a scalar decode of its bytes gives.
  std::vector<int32_t> dots(kRows);
  fiveTritDots(fiveTrit.matrix(0), 16, kIn, q.data(), dots.data());
  for (int64_t r = 0; r < 16; ++r) {
    int64_t expected = 0;
    for (int64_t k = 0; k < kIn; ++k)
      expected += fiveTritCode(fiveTrit.matrix(0) + r * kIn / 5, k) * q[k];
    if (dots[r] != expected) {
      fmt::print(stderr, "ternc-trit-density-bench: five-trit row {} gives "
                         "{}, the scalar decode {}\n",
                 r, dots[r], expected);
      return 1;
    }
  }

  const ReadBuffer probe(kPoolBytes);
  const float scale = 1.0f;
  std::vector<float> y(kRows);
  struct Rates {
    std::vector<double> probe, i2s, fiveTrit;
  };
  std::vector<Rates> rates(std::size(kThreadCounts));
  std::vector<std::unique_ptr<PartRunner>> runners;
  for (int threads : kThreadCounts)
    runners.push_back(std::make_unique<PartRunner>(threads));
  const double trits = static_cast<double>(kRows) * kIn;
  for (int repetition = 0; repetition < repetitions; ++repetition)
    for (size_t t = 0; t < runners.size(); ++t) {
      PartRunner &runner = *runners[t];
      if (std::optional<double> seconds = timeReadPass(probe, runner))
        rates[t].probe.push_back(probe.bytes() / *seconds / 1e9);
      const double i2sSeconds =
          timePass(i2s, runner, [&](const uint8_t *matrix, Slice rows) {
            avx512->bitlinear_i2s(q.data(), &scale,
                                  matrix + rows.begin * kIn / 4, 1, kIn,
                                  rows.end - rows.begin, 1.0f,
                                  y.data() + rows.begin, kRows);
          });
      const double fiveSeconds =
          timePass(fiveTrit, runner, [&](const uint8_t *matrix, Slice rows) {
            fiveTritDots(matrix + rows.begin * kIn / 5, rows.end - rows.begin,
                         kIn, q.data(), dots.data() + rows.begin);
          });
      rates[t].i2s.push_back(i2s.matrices * trits / i2sSeconds / 1e9);
      rates[t].fiveTrit.push_back(fiveTrit.matrices * trits / fiveSeconds /
                                  1e9);
    }

  fmt::print("ffn_gate_up {}x{}, one token, medians of {} repetitions\n"
             "threads  probe GB/s  layout              G trits/s  GB/s   "
             "% of probe\n",
             kRows, kIn, repetitions);
  for (size_t t = 0; t < runners.size(); ++t) {
    const double probeRate = summarize(rates[t].probe).median;
    for (auto [name, bits, list] :
         {std::tuple{"I2_S (2 bits)", 2.0, &rates[t].i2s},
          std::tuple{"five-trit (1.6 bits)", 1.6, &rates[t].fiveTrit}}) {
      const double tritRate = summarize(*list).median;
      const double bytesRate = tritRate * bits / 8;
      fmt::print("{:7}  {:10.1f}  {:<20}  {:9.1f}  {:5.1f}  {:9.0f}%\n",
                 kThreadCounts[t], probeRate, name, tritRate, bytesRate,
                 100 * bytesRate / probeRate);
    }
  }
  return 0;
}
