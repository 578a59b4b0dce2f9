//===- LutGemmBench.cpp - Lookup-table vs multiply-add ternary GEMM -------===//
//
// ternc-lut-gemm-bench [Google Benchmark flags]
//
// The prefill study of a lookup-table ternary GEMM (LutGemm.h) against the
// backends' multiply-add bitlinear_i2s (x86-avx512: vpdpbusd; x86-avx2:
// vpmaddubsw), side by side in one run, one thread, 128 tokens, at the 2B4T
// matrix shapes, and on one whole layer's seven matrices. Before a shape is
// timed, every kernel's result on it is checked against exact scalar dot
// products (activation scales and weight scale 1, so y must equal the integer
// sums); a mismatch aborts. Weights are fixed-seed random trits, kept in
// memory and reused by every iteration (prefill reads each matrix once per
// call and then works from cache). bench/README.md explains the counters.
//
//===----------------------------------------------------------------------===//

#include "backends/KernelAbi.h"
#include "backends/x86-avx2/Avx2Kernels.h"
#include "backends/x86-avx512/Avx512Kernels.h"
#include "bench/BenchSupport.h"
#include "bench/LutGemm.h"
#include "runtime/support/Random.h"

#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <iterator>
#include <map>
#include <memory>
#include <string>
#include <vector>

using namespace ternc;
using namespace ternc::bench;

namespace {

/// Tokens of a prefill call: a 128-token prompt.
constexpr int64_t kTokens = 128;

/// 2B4T's dimensions.
constexpr int64_t kHidden = 2560;
constexpr int64_t kFfn = 6912;
constexpr int64_t kKvWidth = 640;
constexpr int64_t kLayers = 30;

/// The seed of every input.
constexpr uint64_t kSeed = 0x6c75742d67656d6d; // "lut-gemm"

/// A ternary weight matrix of `rows` outputs by `in` inputs, named after the
/// 2B4T tensors that have its shape.
struct MatrixShape {
  const char *tensors;
  int64_t rows, in;
};

constexpr MatrixShape kAttnQOutput = {"attn_q_output", kHidden, kHidden};
constexpr MatrixShape kAttnKV = {"attn_k_v", kKvWidth, kHidden};
constexpr MatrixShape kFfnGateUp = {"ffn_gate_up", kFfn, kHidden};
constexpr MatrixShape kFfnDown = {"ffn_down", kHidden, kFfn};

/// Every shape, and the seven matrices of one layer (q, k, v, output, gate,
/// up, down).
constexpr MatrixShape kShapes[] = {kAttnQOutput, kAttnKV, kFfnGateUp, kFfnDown};
constexpr MatrixShape kLayer[] = {kAttnQOutput, kAttnKV,    kAttnKV,
                                  kAttnQOutput, kFfnGateUp, kFfnGateUp,
                                  kFfnDown};

/// One shape's inputs, made once: the weights in I2_S and packed for the
/// LUT kernel, kTokens rows of activations, and the exact dot products.
struct MatrixInputs {
  std::vector<uint8_t> i2s;
  std::vector<uint8_t> lut;
  std::vector<int8_t> q;
  /// [kTokens][rows]: sum over k of trit(r, k) * q[t][k].
  std::vector<int32_t> dots;
};

/// Activation scales of 1: with a weight scale of 1, y is the dot products.
const std::vector<float> kUnitScales(kTokens, 1.0f);

/// A ternary matmul under study: bitlinear_i2s's contract on a shape's
/// inputs, one thread, scales 1.
struct Candidate {
  const char *name;
  bool (*supported)();
  void (*run)(const MatrixInputs &inputs, const MatrixShape &shape, float *y);
};

/// The LUT kernel's scratch, big enough for every shape.
void *lutScratch() {
  static const std::unique_ptr<void, decltype(&std::free)> scratch(
      std::aligned_alloc(64, static_cast<size_t>(lutScratchBytes(kFfn))),
      &std::free);
  return scratch.get();
}

const Candidate kCandidates[] = {
    {"avx512-vpdpbusd", [] { return ternX86Avx512Kernels() != nullptr; },
     [](const MatrixInputs &inputs, const MatrixShape &shape, float *y) {
       ternX86Avx512Kernels()->bitlinear_i2s(
           inputs.q.data(), kUnitScales.data(), inputs.i2s.data(), kTokens,
           shape.in, shape.rows, 1.0f, y, shape.rows);
     }},
    {"avx2-vpmaddubsw", [] { return ternX86Avx2Kernels() != nullptr; },
     [](const MatrixInputs &inputs, const MatrixShape &shape, float *y) {
       ternX86Avx2Kernels()->bitlinear_i2s(inputs.q.data(), kUnitScales.data(),
                                           inputs.i2s.data(), kTokens, shape.in,
                                           shape.rows, 1.0f, y, shape.rows);
     }},
    {"lut-vpermw", lutGemmSupported,
     [](const MatrixInputs &inputs, const MatrixShape &shape, float *y) {
       lutBitLinear(inputs.q.data(), kUnitScales.data(), inputs.lut.data(),
                    kTokens, shape.in, shape.rows, 1.0f, y, shape.rows,
                    lutScratch());
     }},
};

/// The exact dot products of I2_S `weights` with q, decoded trit by trit
/// (KernelAbi.h's layout) and summed in int32.
std::vector<int32_t> referenceDots(const std::vector<uint8_t> &weights,
                                   const std::vector<int8_t> &q,
                                   const MatrixShape &shape) {
  std::vector<int32_t> dots(static_cast<size_t>(kTokens * shape.rows));
  std::vector<int8_t> trits(static_cast<size_t>(shape.in));
  for (int64_t r = 0; r < shape.rows; ++r) {
    const uint8_t *row = weights.data() + r * shape.in / 4;
    for (int64_t k = 0; k < shape.in; ++k) {
      const int64_t j = k % 128;
      trits[static_cast<size_t>(k)] = static_cast<int8_t>(
          (row[k / 128 * 32 + j % 32] >> (6 - 2 * (j / 32)) & 3) - 1);
    }
    for (int64_t t = 0; t < kTokens; ++t) {
      const int8_t *activations = q.data() + t * shape.in;
      int32_t sum = 0;
      for (int64_t k = 0; k < shape.in; ++k)
        sum += trits[static_cast<size_t>(k)] * activations[k];
      dots[static_cast<size_t>(t * shape.rows + r)] = sum;
    }
  }
  return dots;
}

/// Runs every supported candidate on `inputs` and aborts unless its y is
/// exactly the dot products.
void checkCandidates(const MatrixInputs &inputs, const MatrixShape &shape) {
  std::vector<float> y(static_cast<size_t>(kTokens * shape.rows));
  for (const Candidate &candidate : kCandidates) {
    if (!candidate.supported())
      continue;
    std::fill(y.begin(), y.end(), -1e30f);
    candidate.run(inputs, shape, y.data());
    for (size_t i = 0; i < y.size(); ++i)
      if (y[i] != static_cast<float>(inputs.dots[i])) {
        fmt::print(stderr,
                   "ternc-lut-gemm-bench: {} on {}x{}: token {} row {} gives "
                   "{}, the exact dot product is {}\n",
                   candidate.name, shape.rows, shape.in,
                   static_cast<int64_t>(i) / shape.rows,
                   static_cast<int64_t>(i) % shape.rows, y[i], inputs.dots[i]);
        std::abort();
      }
  }
}

/// The inputs of `shape`, made and checked on first use.
const MatrixInputs &inputsFor(const MatrixShape &shape) {
  static std::map<std::pair<int64_t, int64_t>, MatrixInputs> kept;
  auto found = kept.find({shape.rows, shape.in});
  if (found != kept.end())
    return found->second;
  const uint64_t seed =
      kSeed ^ static_cast<uint64_t>(shape.rows * 7919 + shape.in);
  MatrixInputs inputs;
  inputs.i2s = randomI2SBytes(shape.rows * shape.in / 4, seed);
  // Extremes that random data never reaches: rows 0 and 1 all +1 and all -1
  // (codes 2 and 0), and below tokens 0 and 1 all -128 and all 127, so that
  // the 16-bit partial sums reach their largest magnitudes.
  std::fill_n(inputs.i2s.begin(), shape.in / 4, uint8_t{0xaa});
  std::fill_n(inputs.i2s.begin() + shape.in / 4, shape.in / 4, uint8_t{0});
  inputs.lut.resize(static_cast<size_t>(lutPackedBytes(shape.rows, shape.in)));
  lutPack(inputs.i2s.data(), shape.rows, shape.in, inputs.lut.data());
  // The whole int8 range, -128 included (the extremes of the tables), from
  // another stream than the weights'.
  inputs.q.resize(static_cast<size_t>(kTokens * shape.in));
  Xoshiro256StarStar random(~seed);
  for (int8_t &value : inputs.q)
    value = static_cast<int8_t>(random.next() & 0xff);
  std::fill_n(inputs.q.begin(), shape.in, int8_t{-128});
  std::fill_n(inputs.q.begin() + shape.in, shape.in, int8_t{127});
  inputs.dots = referenceDots(inputs.i2s, inputs.q, shape);
  checkCandidates(inputs, shape);
  return kept.emplace(std::make_pair(shape.rows, shape.in), std::move(inputs))
      .first->second;
}

/// A rate counter of `amount` per iteration, per second of CPU time.
benchmark::Counter ratePerIteration(const benchmark::State &state,
                                    double amount) {
  return benchmark::Counter(amount * static_cast<double>(state.iterations()),
                            benchmark::Counter::kIsRate);
}

/// `candidate` on one matrix; reports `MACs`, multiply-adds per second.
void benchMatrix(benchmark::State &state, const Candidate &candidate,
                 const MatrixShape &shape) {
  const MatrixInputs &inputs = inputsFor(shape);
  std::vector<float> y(static_cast<size_t>(kTokens * shape.rows));
  for (auto _ : state) {
    candidate.run(inputs, shape, y.data());
    benchmark::ClobberMemory();
  }
  state.counters["MACs"] = ratePerIteration(
      state, static_cast<double>(kTokens * shape.rows * shape.in));
}

/// `candidate` on the seven matrices of one layer; reports `MACs` and
/// `model_tok/s`, the prompt tokens per second of kLayers such layers (the
/// ternary matmuls alone: a bound on prefill).
void benchLayer(benchmark::State &state, const Candidate &candidate) {
  int64_t macs = 0;
  std::vector<const MatrixInputs *> inputs;
  for (const MatrixShape &shape : kLayer) {
    macs += kTokens * shape.rows * shape.in;
    inputs.push_back(&inputsFor(shape));
  }
  std::vector<float> y(static_cast<size_t>(kTokens * kFfn));
  for (auto _ : state) {
    for (size_t i = 0; i < std::size(kLayer); ++i)
      candidate.run(*inputs[i], kLayer[i], y.data());
    benchmark::ClobberMemory();
  }
  state.counters["MACs"] = ratePerIteration(state, static_cast<double>(macs));
  state.counters["model_tok/s"] = ratePerIteration(
      state, static_cast<double>(kTokens) / static_cast<double>(kLayers));
}

/// Steps of a ceiling loop per iteration: milliseconds at any of the rates.
constexpr int64_t kCeilingSteps = int64_t{1} << 20;

/// The ceilings and their benchmark names.
struct CeilingName {
  Ceiling ceiling;
  const char *name;
};
constexpr CeilingName kCeilings[] = {
    {Ceiling::MultiplyAdd, "vpdpbusd_zmm"},
    {Ceiling::Lookup, "vpermw_vpaddw_zmm"},
    {Ceiling::AmxTile, "amx_tdpbusd"},
};

/// A register-only ceiling loop; reports `MACs`, the multiply-adds per
/// second its instructions stand for.
void benchCeiling(benchmark::State &state, Ceiling ceiling) {
  for (auto _ : state)
    benchmark::DoNotOptimize(runCeiling(ceiling, kCeilingSteps));
  state.counters["MACs"] = ratePerIteration(
      state,
      static_cast<double>(kCeilingSteps *
                          kCeilingMacsPerStep[static_cast<int>(ceiling)]));
}

/// Registers `bench(state, args...)` under `name`.
template <typename Bench, typename... Args>
void add(const std::string &name, Bench bench, const Args &...args) {
  benchmark::RegisterBenchmark(name.c_str(), bench, args...)
      ->Unit(benchmark::kMillisecond);
}

} // namespace

int main(int argc, char **argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv))
    return 1;

  if (lutGemmSupported())
    for (const CeilingName &ceiling : kCeilings)
      if (ceiling.ceiling != Ceiling::AmxTile || amxUsable())
        add(fmt::format("ceiling/{}", ceiling.name), benchCeiling,
            ceiling.ceiling);
  std::string candidates;
  for (const MatrixShape &shape : kShapes)
    for (const Candidate &candidate : kCandidates)
      if (candidate.supported())
        add(fmt::format("{}/{}_{}x{}/tokens:{}", candidate.name, shape.tensors,
                        shape.rows, shape.in, kTokens),
            benchMatrix, candidate, shape);
  for (const Candidate &candidate : kCandidates)
    if (candidate.supported()) {
      add(fmt::format("{}/layer_2b4t/tokens:{}", candidate.name, kTokens),
          benchLayer, candidate);
      candidates +=
          (candidates.empty() ? "" : ", ") + std::string(candidate.name);
    }
  benchmark::AddCustomContext("ternc_candidates", candidates);
  benchmark::AddCustomContext(
      "ternc_threads",
      "1 (rates per second of CPU time; on a shared machine compare medians "
      "of --benchmark_repetitions with "
      "--benchmark_enable_random_interleaving)");

  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
