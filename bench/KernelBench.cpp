//===- KernelBench.cpp - Backend kernels at BitNet b1.58 2B4T shapes ------===//
//
// ternc-kernel-bench [Google Benchmark flags]
//
// Times the kernels of every backend's TernKernels table whose cost grows with
// the bytes they stream (ternary and f16 matrix products, the fused RMSNorm +
// quantization, attention over the KV cache) at the shapes of BitNet b1.58
// 2B4T, and the read-bandwidth probe of BenchSupport.h in the same run: on a
// shared machine a kernel's GB/s is only judged against a probe measured
// beside it (shared/PERF.md). Inputs are fixed-seed random data, made once
// per shape and kept in memory (loaded, not file-mapped). Benchmarks are
// named backend/kernel/shape/..., e.g.
// generic/bitlinear_i2s/ffn_gate_up_6912x2560/tokens:1/threads:2/real_time.
// bench/README.md explains the counters and how to read them.
//
//===----------------------------------------------------------------------===//

#include "backends/KernelAbi.h"
#include "backends/generic/GenericKernels.h"
#include "bench/BenchSupport.h"
#include "runtime/gguf/Quants.h"
#include "runtime/support/Half.h"
#include "runtime/support/Random.h"

#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <cstdlib>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

using namespace ternc;
using namespace ternc::bench;

namespace {

/// The accessors of the backends to benchmark: one line per backend. A
/// backend whose accessor returns null (the host lacks its ISA) is skipped.
const TernKernels *(*const kBackends[])(void) = {
    ternGenericKernels,
};

// BitNet b1.58 2B4T's dimensions.
constexpr int64_t kHidden = 2560;
constexpr int64_t kFfn = 6912;
constexpr int64_t kHeads = 20;
constexpr int64_t kKvHeads = 5;
constexpr int64_t kHeadDim = 128;
constexpr int64_t kKvWidth = kKvHeads * kHeadDim;
constexpr int64_t kVocab = 128256;
constexpr float kRmsEpsilon = 1e-5f;

/// Token counts of the layers' kernels: one decoded token, a 128-token
/// prompt.
constexpr int64_t kTokenCounts[] = {1, 128};

/// Threads sharing a matrix product (and the probe's buffer): each calls the
/// kernel on its own share of the rows, as a runtime splits them.
constexpr int kRowSplitThreads[] = {1, 2};

/// KV cache positions of the attention benchmarks.
constexpr int64_t kAttentionPositions[] = {128, 1024};

/// Bytes the probe reads per pass: far beyond the caches.
constexpr int64_t kProbeBytes = int64_t{1} << 30;

/// The seed of every input.
constexpr uint64_t kSeed = 0x7465726e63; // "ternc"

/// A weight matrix of `rows` outputs by `in` inputs, named after the 2B4T
/// tensors that have its shape.
struct MatrixShape {
  const char *tensors;
  int64_t rows, in;
};

/// The shapes of 2B4T's ternary layer weights.
constexpr MatrixShape kTernaryShapes[] = {
    {"attn_q_output", kHidden, kHidden},
    {"attn_k_v", kKvWidth, kHidden},
    {"ffn_gate_up", kFfn, kHidden},
    {"ffn_down", kHidden, kFfn},
};

/// The f16 LM head: 2B4T's tied token embedding.
constexpr MatrixShape kLmHead = {"lm_head", kVocab, kHidden};

/// Fixed-seed random inputs: the same values on every host and compiler.
class InputMaker {
public:
  InputMaker() : random_(kSeed) {}

  /// `count` values uniform in [-range, range).
  std::vector<float> floats(int64_t count, float range) {
    std::vector<float> values(static_cast<size_t>(count));
    for (float &value : values)
      value = uniform(range);
    return values;
  }

  /// `count` int8 values uniform in [-127, 127], as quantize_rows_i8 makes.
  std::vector<int8_t> int8s(int64_t count) {
    std::vector<int8_t> values(static_cast<size_t>(count));
    for (int8_t &value : values)
      value = static_cast<int8_t>(static_cast<int>(random_.next() % 255) - 127);
    return values;
  }

  /// `count` f16 bit patterns of values uniform in [-range, range).
  std::vector<uint16_t> halves(int64_t count, float range) {
    std::vector<uint16_t> values(static_cast<size_t>(count));
    for (uint16_t &value : values)
      value = floatToHalf(uniform(range));
    return values;
  }

  /// `count` trits, uniform over -1, 0, +1, as f32.
  std::vector<float> trits(int64_t count) {
    std::vector<float> values(static_cast<size_t>(count));
    for (float &value : values)
      value = static_cast<float>(static_cast<int>(random_.next() % 3) - 1);
    return values;
  }

private:
  float uniform(float range) {
    return static_cast<float>((random_.nextUniform() * 2 - 1) * range);
  }

  Xoshiro256StarStar random_;
};

/// An I2_S tensor as GGUF files store it: the codes of rows * in trits, then
/// the per-tensor scale.
struct I2SMatrix {
  std::vector<uint8_t> bytes;
  float scale;
};

/// Inputs kept for the whole run, one per key, made on first use: the
/// benchmarks of one shape read the same memory, and inputs that a filter
/// leaves out are never made.
template <typename Input> class KeptInputs {
public:
  /// The input for `key`, made by `make()` when there is none yet.
  template <typename Make>
  const Input &get(std::pair<int64_t, int64_t> key, Make make) {
    auto found = inputs_.find(key);
    if (found == inputs_.end())
      found = inputs_.emplace(key, make()).first;
    return found->second;
  }

private:
  std::map<std::pair<int64_t, int64_t>, Input> inputs_;
};

/// Random ternary weights of `shape` in I2_S, made by gguf::quantize.
const I2SMatrix &ternaryWeights(const MatrixShape &shape) {
  static KeptInputs<I2SMatrix> kept;
  return kept.get({shape.rows, shape.in}, [&shape] {
    const int64_t count = shape.rows * shape.in;
    const std::vector<float> trits = InputMaker().trits(count);
    I2SMatrix matrix;
    const Status status =
        gguf::quantize(gguf::TensorType::I2_S, trits.data(),
                       static_cast<uint64_t>(count), matrix.bytes);
    if (!status.ok()) {
      fmt::print(stderr, "ternc-kernel-bench: {}\n", status.error().message());
      std::abort();
    }
    matrix.scale = gguf::i2sScale({matrix.bytes.data(), matrix.bytes.size()},
                                  static_cast<uint64_t>(count));
    return matrix;
  });
}

/// Random f16 weights of `shape`, values in [-1, 1).
const std::vector<uint16_t> &halfWeights(const MatrixShape &shape) {
  static KeptInputs<std::vector<uint16_t>> kept;
  return kept.get({shape.rows, shape.in}, [&shape] {
    return InputMaker().halves(shape.rows * shape.in, 1.0f);
  });
}

/// A rate counter of `amount` per iteration: shown per second of wall time.
benchmark::Counter ratePerIteration(const benchmark::State &state,
                                    int64_t amount) {
  return benchmark::Counter(static_cast<double>(amount) *
                                static_cast<double>(state.iterations()),
                            benchmark::Counter::kIsRate);
}

/// Reports what every benchmark reports: `bytes`, the bytes one iteration
/// streams, and `bandwidth`, their rate in bytes per second.
void reportBytes(benchmark::State &state, int64_t bytesPerIteration) {
  state.counters["bytes"] = static_cast<double>(bytesPerIteration);
  state.counters["bandwidth"] = ratePerIteration(state, bytesPerIteration);
}

/// The read-bandwidth probe: `threads` threads each sum their share of one
/// buffer.
void benchReadProbe(benchmark::State &state, int threads) {
  static const ReadBuffer buffer(kProbeBytes);
  std::vector<uint64_t> sums(static_cast<size_t>(threads));
  PartRunner runner(threads);
  const std::function<void(int)> sumShare = [&sums, threads](int part) {
    sums[static_cast<size_t>(part)] =
        buffer.sum(evenSlice(buffer.words(), part, threads));
  };
  for (auto _ : state)
    runner.run(sumShare);
  for (int part = 0; part < threads; ++part)
    if (sums[static_cast<size_t>(part)] !=
        ReadBuffer::expectedSum(evenSlice(buffer.words(), part, threads)))
      state.SkipWithError("the summing loop skipped words");
  reportBytes(state, buffer.bytes());
}

/// bitlinear_i2s, `threads` calls at once on equal shares of the rows; also
/// reports `MACs`, ternary multiply-adds per second.
void benchBitLinear(benchmark::State &state, const TernKernels &kernels,
                    const MatrixShape &shape, int64_t tokens, int threads) {
  const I2SMatrix &weights = ternaryWeights(shape);
  InputMaker inputs;
  const std::vector<int8_t> q = inputs.int8s(tokens * shape.in);
  const std::vector<float> scales(static_cast<size_t>(tokens), 31.75f);
  std::vector<float> y(static_cast<size_t>(tokens * shape.rows));
  PartRunner runner(threads);
  const std::function<void(int)> multiplyShare = [&](int part) {
    const Slice rows = evenSlice(shape.rows, part, threads);
    kernels.bitlinear_i2s(q.data(), scales.data(),
                          weights.bytes.data() + rows.begin * shape.in / 4,
                          tokens, shape.in, rows.size(), weights.scale,
                          y.data() + rows.begin, shape.rows);
  };
  for (auto _ : state)
    runner.run(multiplyShare);
  reportBytes(state, shape.rows * shape.in / 4);
  state.counters["MACs"] =
      ratePerIteration(state, tokens * shape.rows * shape.in);
}

/// linear_f16 of one token, `threads` calls at once on equal shares of the
/// rows.
void benchLinearF16(benchmark::State &state, const TernKernels &kernels,
                    const MatrixShape &shape, int threads) {
  const std::vector<uint16_t> &weights = halfWeights(shape);
  const std::vector<float> x = InputMaker().floats(shape.in, 4.0f);
  std::vector<float> y(static_cast<size_t>(shape.rows));
  std::vector<std::vector<float>> scratches(
      static_cast<size_t>(threads),
      std::vector<float>(static_cast<size_t>(shape.in)));
  PartRunner runner(threads);
  const std::function<void(int)> multiplyShare = [&](int part) {
    const Slice rows = evenSlice(shape.rows, part, threads);
    kernels.linear_f16(x.data(), weights.data() + rows.begin * shape.in, 1,
                       shape.in, rows.size(), y.data() + rows.begin, shape.rows,
                       scratches[static_cast<size_t>(part)].data());
  };
  for (auto _ : state)
    runner.run(multiplyShare);
  reportBytes(state, shape.rows * shape.in * 2);
}

/// rms_norm_quantize_i8; its bytes are x and gamma read, q written.
void benchRmsNormQuantize(benchmark::State &state, const TernKernels &kernels,
                          int64_t features, int64_t tokens) {
  InputMaker inputs;
  const std::vector<float> x = inputs.floats(tokens * features, 4.0f);
  const std::vector<float> gamma = inputs.floats(features, 2.0f);
  std::vector<int8_t> q(static_cast<size_t>(tokens * features));
  std::vector<float> scales(static_cast<size_t>(tokens));
  for (auto _ : state)
    kernels.rms_norm_quantize_i8(x.data(), gamma.data(), tokens, features,
                                 kRmsEpsilon, q.data(), scales.data());
  reportBytes(state, tokens * features * 5 + features * 4);
}

/// attention_f16_cache of one token at `position` over a cache filled
/// before it; its bytes are the K and V cache rows it reads.
void benchAttention(benchmark::State &state, const TernKernels &kernels,
                    int64_t position) {
  const int64_t visible = position + 1;
  InputMaker inputs;
  std::vector<uint16_t> kCache = inputs.halves(visible * kKvWidth, 4.0f);
  std::vector<uint16_t> vCache = inputs.halves(visible * kKvWidth, 4.0f);
  const std::vector<float> q = inputs.floats(kHeads * kHeadDim, 4.0f);
  const std::vector<float> k = inputs.floats(kKvWidth, 4.0f);
  const std::vector<float> v = inputs.floats(kKvWidth, 4.0f);
  std::vector<float> out(static_cast<size_t>(kHeads * kHeadDim));
  std::vector<float> scratch(static_cast<size_t>(kHeadDim + visible));
  for (auto _ : state)
    kernels.attention_f16_cache(q.data(), k.data(), v.data(), 1, 1, position,
                                kHeads, kKvHeads, kHeadDim, 0, kKvHeads,
                                kCache.data(), vCache.data(), out.data(),
                                scratch.data());
  reportBytes(state, 2 * visible * kKvWidth * 2);
}

/// Registers `bench(state, args...)` under `name` with the settings every
/// benchmark here shares.
template <typename Bench, typename... Args>
void add(const std::string &name, Bench bench, const Args &...args) {
  benchmark::RegisterBenchmark(name.c_str(), bench, args...)
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime();
}

/// Registers `bench(state, args..., threads)` as `name/threads:N` for each
/// count of kRowSplitThreads.
template <typename Bench, typename... Args>
void addPerThreadCount(const std::string &name, Bench bench,
                       const Args &...args) {
  for (int threads : kRowSplitThreads)
    add(fmt::format("{}/threads:{}", name, threads), bench, args..., threads);
}

/// Registers every benchmark of one backend's kernels.
void addBackend(const TernKernels &kernels) {
  const std::string backend = kernels.name;
  for (const MatrixShape &shape : kTernaryShapes)
    for (int64_t tokens : kTokenCounts)
      addPerThreadCount(fmt::format("{}/bitlinear_i2s/{}_{}x{}/tokens:{}",
                                    backend, shape.tensors, shape.rows,
                                    shape.in, tokens),
                        benchBitLinear, kernels, shape, tokens);
  for (int64_t features : {kHidden, kFfn})
    for (int64_t tokens : kTokenCounts)
      add(fmt::format("{}/rms_norm_quantize_i8/features:{}/tokens:{}", backend,
                      features, tokens),
          benchRmsNormQuantize, kernels, features, tokens);
  addPerThreadCount(fmt::format("{}/linear_f16/{}_{}x{}/tokens:1", backend,
                                kLmHead.tensors, kLmHead.rows, kLmHead.in),
                    benchLinearF16, kernels, kLmHead);
  for (int64_t position : kAttentionPositions)
    add(fmt::format("{}/attention_f16_cache/heads:{},kv_heads:{},head_dim:{}/"
                    "position:{}/tokens:1",
                    backend, kHeads, kKvHeads, kHeadDim, position),
        benchAttention, kernels, position);
}

} // namespace

int main(int argc, char **argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv))
    return 1;

  addPerThreadCount(fmt::format("probe/read/{}MiB", kProbeBytes >> 20),
                    benchReadProbe);
  std::string backends;
  for (const auto accessor : kBackends)
    if (const TernKernels *kernels = accessor()) {
      addBackend(*kernels);
      backends += (backends.empty() ? "" : ", ") + std::string(kernels->name);
    }
  benchmark::AddCustomContext("ternc_backends", backends);
  benchmark::AddCustomContext("ternc_weights",
                              "loaded (heap memory, not file-mapped)");
  benchmark::AddCustomContext(
      "ternc_threads", "threads:N = N threads at once, each calling the "
                       "kernel on 1/N of the rows; an iteration waits for all");

  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
