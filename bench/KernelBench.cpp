//===- KernelBench.cpp - Backend kernels at BitNet b1.58 2B4T shapes ------===//
//
// ternc-kernel-bench [Google Benchmark flags]
//
// Times the kernels of every backend's TernKernels table whose cost grows with
// the bytes they stream (ternary and f16 matrix products, the fused RMSNorm +
// quantization, attention over the KV cache) at the shapes of BitNet b1.58
// 2B4T, and the read-bandwidth probe of BenchSupport.h in the same run: on a
// shared machine a kernel's GB/s is only judged against a probe measured
// beside it (bench/README.md, "Units and measurement"), so every kernel
// benchmark also runs the probe with its own threads right before and after
// its timed loop and reports its GB/s as a percentage of it. Inputs are
// fixed-seed random data kept in memory (loaded, not file-mapped); f16
// matrices are laid out as each table's f16_row_interleave says, and the
// ternary weights rotate through a pool larger than the caches, so that they
// come from memory as a model's do.
// Benchmarks are named backend/kernel/shape/..., e.g.
// x86-avx512/bitlinear_i2s/ffn_gate_up_6912x2560/tokens:1/threads:2/real_time.
// bench/README.md explains the counters and how to read them.
//
//===----------------------------------------------------------------------===//

#include "backends/KernelAbi.h"
#include "backends/common/Q4Layout.h"
#include "backends/common/RowInterleave.h"
#include "backends/generic/GenericKernels.h"
#if TERNC_X86_BACKENDS
#include "backends/x86-amx/AmxKernels.h"
#include "backends/x86-avx2/Avx2Kernels.h"
#include "backends/x86-avx512/Avx512Kernels.h"
#endif
#include "bench/BenchSupport.h"
#include "runtime/support/Half.h"
#include "runtime/support/Random.h"

#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

using namespace ternc;
using namespace ternc::bench;

namespace {

/// The accessors of the backends to benchmark: one line per backend. A
/// backend whose accessor returns null (the host lacks its ISA) is skipped.
const TernKernels *(*const kBackends[])(void) = {
    ternGenericKernels,
#if TERNC_X86_BACKENDS
    ternX86Avx2Kernels,
    ternX86Avx512Kernels,
    ternX86AmxKernels,
#endif
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

/// Passes of the probe run right before and again right after each kernel
/// benchmark's timed loop; their median is the kernel's yardstick.
constexpr int kProbePasses = 3;

/// Bytes of the pool the ternary weights rotate through: as far beyond the
/// caches as the probe's buffer.
constexpr int64_t kTernaryPoolBytes = kProbeBytes;

/// The per-tensor scale passed with the ternary weights.
constexpr float kWeightScale = 0.75f;

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
    fillInt8s(values.data(), count);
    return values;
  }

  /// Writes int8s(count)'s values to `values`.
  void fillInt8s(int8_t *values, int64_t count) {
    for (int64_t i = 0; i < count; ++i)
      values[i] =
          static_cast<int8_t>(static_cast<int>(random_.next() % 255) - 127);
  }

  /// `count` f16 bit patterns of values uniform in [-range, range).
  std::vector<uint16_t> halves(int64_t count, float range) {
    std::vector<uint16_t> values(static_cast<size_t>(count));
    for (uint16_t &value : values)
      value = floatToHalf(uniform(range));
    return values;
  }

private:
  float uniform(float range) {
    return static_cast<float>((random_.nextUniform() * 2 - 1) * range);
  }

  Xoshiro256StarStar random_;
};

/// Random ternary weights in I2_S, kTernaryPoolBytes of codes: a matrix
/// benchmark takes the next rows * in / 4 bytes each iteration, so that it
/// never finds its weights in a cache. They are in HugePageMemory, as a
/// compiled model's are: on 4 KiB pages the interleaved layout's stream
/// read 30-37 GB/s where huge pages gave 51-56 (AMD EPYC, 2 threads).
class TernaryPool {
public:
  TernaryPool() : memory_(kTernaryPoolBytes) {
    const std::vector<uint8_t> codes = randomI2SBytes(kTernaryPoolBytes, kSeed);
    std::memcpy(memory_.data(), codes.data(), codes.size());
  }
  const uint8_t *data() const {
    return static_cast<const uint8_t *>(memory_.data());
  }
  int64_t size() const { return kTernaryPoolBytes; }

private:
  HugePageMemory memory_;
};

const TernaryPool &ternaryPool() {
  static const TernaryPool pool;
  return pool;
}

/// The [rows][columns] matrix `rowMajor` laid out as KernelAbi.h's
/// f16_row_interleave = `interleave` says.
std::vector<uint16_t> laidOut(const std::vector<uint16_t> &rowMajor,
                              int64_t rows, int64_t columns,
                              int64_t interleave) {
  if (interleave == 1)
    return rowMajor;
  const int64_t groups = (rows + interleave - 1) / interleave;
  std::vector<uint16_t> out(static_cast<size_t>(groups * interleave * columns));
  backends::interleaveRows(rowMajor.data(), rows, columns, interleave,
                           out.data());
  return out;
}

/// Random f16 weights of `shape`, values in [-1, 1), laid out for a table
/// with f16_row_interleave `interleave`: the same matrix for every backend,
/// made once per layout and kept for the whole run.
const std::vector<uint16_t> &halfWeights(const MatrixShape &shape,
                                         int64_t interleave) {
  static std::map<std::tuple<int64_t, int64_t, int64_t>, std::vector<uint16_t>>
      kept;
  auto found = kept.find({shape.rows, shape.in, interleave});
  if (found == kept.end())
    found =
        kept.emplace(std::make_tuple(shape.rows, shape.in, interleave),
                     laidOut(InputMaker().halves(shape.rows * shape.in, 1.0f),
                             shape.rows, shape.in, interleave))
            .first;
  return found->second;
}

/// Part `part` of `parts` near-equal shares of `rows` rows, each starting at
/// a multiple of `group` (KernelAbi.h: slices of matrices interleaved in
/// groups of `group` rows start at whole groups).
Slice groupSlice(int64_t rows, int64_t group, int part, int parts) {
  const Slice groups = evenSlice((rows + group - 1) / group, part, parts);
  return {groups.begin * group, std::min(rows, groups.end * group)};
}

/// A rate counter of `amount` per iteration: shown per second of wall time.
benchmark::Counter ratePerIteration(const benchmark::State &state,
                                    int64_t amount) {
  return benchmark::Counter(static_cast<double>(amount) *
                                static_cast<double>(state.iterations()),
                            benchmark::Counter::kIsRate);
}

/// The probe's buffer, allocated and written on first use.
const ReadBuffer &probeBuffer() {
  static const ReadBuffer buffer(kProbeBytes);
  return buffer;
}

/// Times one read pass of the probe on `runner`'s threads into `seconds`;
/// false when a sum came out wrong.
bool probePass(PartRunner &runner, std::vector<double> &seconds) {
  const std::optional<double> pass = timeReadPass(probeBuffer(), runner);
  if (pass)
    seconds.push_back(*pass);
  return pass.has_value();
}

/// The read-bandwidth probe: `threads` threads each sum their share of one
/// buffer.
void benchReadProbe(benchmark::State &state, int threads) {
  const ReadBuffer &buffer = probeBuffer();
  PartRunner runner(threads);
  // Each iteration reads the buffer twice (timeReadPass takes the faster
  // way): the rate is that of the faster pass, not of the iteration.
  double seconds = 0;
  for (auto _ : state) {
    const std::optional<double> pass = timeReadPass(buffer, runner);
    if (!pass) {
      state.SkipWithError("the summing loop skipped words");
      break;
    }
    seconds += *pass;
  }
  state.counters["bytes"] = static_cast<double>(buffer.bytes());
  if (seconds > 0)
    state.counters["bandwidth"] =
        static_cast<double>(buffer.bytes()) *
        static_cast<double>(state.iterations()) / seconds;
}

/// Runs `state`'s timed loop, each iteration calling work(part, iteration)
/// for every part of `runner` at once, and reports what every kernel
/// benchmark reports: `bytes`, what one iteration streams; `bandwidth`, their
/// rate; `probe`, the median rate of the read probe over kProbePasses passes
/// on the same threads right before and kProbePasses right after the loop;
/// `probe_pct`, bandwidth as a percentage of probe.
void runStreaming(benchmark::State &state, PartRunner &runner,
                  const std::function<void(int part, int64_t iteration)> &work,
                  int64_t bytesPerIteration) {
  std::vector<double> probeSeconds;
  auto probe = [&] {
    for (int pass = 0; pass < kProbePasses; ++pass)
      if (!probePass(runner, probeSeconds))
        return false;
    return true;
  };
  if (!probe()) {
    state.SkipWithError("the probe's summing loop skipped words");
    return;
  }
  int64_t iteration = 0;
  const std::function<void(int)> runPart = [&](int part) {
    work(part, iteration);
  };
  const auto start = std::chrono::steady_clock::now();
  for (auto _ : state) {
    runner.run(runPart);
    ++iteration;
  }
  const std::chrono::duration<double> elapsed =
      std::chrono::steady_clock::now() - start;
  if (!probe()) {
    state.SkipWithError("the probe's summing loop skipped words");
    return;
  }
  std::vector<double> probeRates;
  for (double seconds : probeSeconds)
    probeRates.push_back(static_cast<double>(probeBuffer().bytes()) / seconds);
  const double probeRate = summarize(probeRates).median;
  const double rate = static_cast<double>(bytesPerIteration) *
                      static_cast<double>(iteration) / elapsed.count();
  state.counters["bytes"] = static_cast<double>(bytesPerIteration);
  state.counters["bandwidth"] = ratePerIteration(state, bytesPerIteration);
  state.counters["probe"] = probeRate;
  state.counters["probe_pct"] = 100 * rate / probeRate;
}

/// bitlinear_i2s, `threads` calls at once on near-equal shares of the rows
/// of the next matrix of ternaryPool() each iteration (whole groups of
/// interleaved rows: random codes are as random in any layout); also
/// reports `MACs`, ternary multiply-adds per second.
void benchBitLinear(benchmark::State &state, const TernKernels &kernels,
                    const MatrixShape &shape, int64_t tokens, int threads) {
  const TernaryPool &pool = ternaryPool();
  const int64_t matrixBytes = shape.rows * shape.in / 4;
  const int64_t matrices = pool.size() / matrixBytes;
  InputMaker inputs;
  const std::vector<int8_t> q = inputs.int8s(tokens * shape.in);
  const std::vector<float> scales(static_cast<size_t>(tokens), 31.75f);
  std::vector<float> y(static_cast<size_t>(tokens * shape.rows));
  PartRunner runner(threads);
  runStreaming(
      state, runner,
      [&](int part, int64_t iteration) {
        const Slice rows =
            groupSlice(shape.rows, kernels.i2s_row_interleave, part, threads);
        const uint8_t *weights =
            pool.data() + iteration % matrices * matrixBytes;
        kernels.bitlinear_i2s(q.data(), scales.data(),
                              weights + rows.begin * shape.in / 4, tokens,
                              shape.in, rows.size(), kWeightScale,
                              y.data() + rows.begin, shape.rows);
      },
      matrixBytes);
  state.counters["MACs"] =
      ratePerIteration(state, tokens * shape.rows * shape.in);
}

/// linear_f16 of one token, `threads` calls at once on near-equal shares of
/// the rows (whole groups of interleaved rows).
void benchLinearF16(benchmark::State &state, const TernKernels &kernels,
                    const MatrixShape &shape, int threads) {
  const int64_t interleave = kernels.f16_row_interleave;
  const std::vector<uint16_t> &weights = halfWeights(shape, interleave);
  const std::vector<float> x = InputMaker().floats(shape.in, 4.0f);
  std::vector<float> y(static_cast<size_t>(shape.rows));
  std::vector<std::vector<float>> scratches(
      static_cast<size_t>(threads),
      std::vector<float>(static_cast<size_t>(shape.in)));
  PartRunner runner(threads);
  runStreaming(
      state, runner,
      [&](int part, int64_t) {
        const Slice rows = groupSlice(shape.rows, interleave, part, threads);
        kernels.linear_f16(x.data(), weights.data() + rows.begin * shape.in, 1,
                           shape.in, rows.size(), y.data() + rows.begin,
                           shape.rows,
                           scratches[static_cast<size_t>(part)].data());
      },
      static_cast<int64_t>(weights.size()) * 2);
}

/// One token through a row-scaled LM head (linear_i8 or linear_q4 as
/// `linear(q, scale, rows, rowScales, count, y)` runs them) of `shape.rows`
/// rows of `rowBytes` bytes, `threads` calls at once on equal shares of the
/// rows; its bytes are the rows and their f32 scales. Iterations cycle
/// through `copies` copies of the rows, together larger than this machine's
/// 480 MiB L3, so that no iteration finds the head in cache. The rows are in
/// HugePageMemory, as a compiled model's are.
template <typename Linear>
void benchRowScaledHead(benchmark::State &state, const MatrixShape &shape,
                        int64_t rowBytes, int64_t copies, int threads,
                        Linear linear) {
  InputMaker inputs;
  const int64_t matrix = shape.rows * rowBytes;
  const HugePageMemory memory(copies * matrix);
  const auto *weights = static_cast<const int8_t *>(memory.data());
  // Any bytes are valid int8 rows and valid 4-bit rows.
  inputs.fillInt8s(static_cast<int8_t *>(memory.data()), copies * matrix);
  const std::vector<float> rowScales(static_cast<size_t>(shape.rows), 0.01f);
  const std::vector<int8_t> q = inputs.int8s(shape.in);
  const float scale = 31.75f;
  std::vector<float> y(static_cast<size_t>(shape.rows));
  PartRunner runner(threads);
  runStreaming(
      state, runner,
      [&](int part, int64_t iteration) {
        const Slice rows = evenSlice(shape.rows, part, threads);
        linear(q.data(), &scale,
               weights + iteration % copies * matrix + rows.begin * rowBytes,
               rowScales.data() + rows.begin, rows.size(),
               y.data() + rows.begin);
      },
      matrix + shape.rows * 4);
}

/// linear_i8 of one token (the --lm-head=int8 head): 328 MB, two copies.
void benchLinearI8(benchmark::State &state, const TernKernels &kernels,
                   const MatrixShape &shape, int threads) {
  benchRowScaledHead(state, shape, shape.in, 2, threads,
                     [&](const int8_t *q, const float *scale,
                         const int8_t *weights, const float *rowScales,
                         int64_t rows, float *y) {
                       kernels.linear_i8(q, scale, weights, rowScales, 1,
                                         shape.in, rows, y, shape.rows);
                     });
}

/// linear_q4 of one token (the --lm-head=q4 head): 174 MB, four copies.
void benchLinearQ4(benchmark::State &state, const TernKernels &kernels,
                   const MatrixShape &shape, int threads) {
  benchRowScaledHead(
      state, shape, backends::q4RowBytes(shape.in), 4, threads,
      [&](const int8_t *q, const float *scale, const int8_t *weights,
          const float *rowScales, int64_t rows, float *y) {
        kernels.linear_q4(q, scale, reinterpret_cast<const uint8_t *>(weights),
                          rowScales, 1, shape.in, rows, y, shape.rows);
      });
}

/// rms_norm_quantize_i8; its bytes are x and gamma read, q written.
void benchRmsNormQuantize(benchmark::State &state, const TernKernels &kernels,
                          int64_t features, int64_t tokens) {
  InputMaker inputs;
  const std::vector<float> x = inputs.floats(tokens * features, 4.0f);
  const std::vector<float> gamma = inputs.floats(features, 2.0f);
  std::vector<int8_t> q(static_cast<size_t>(tokens * features));
  std::vector<float> scales(static_cast<size_t>(tokens));
  PartRunner runner(1);
  runStreaming(
      state, runner,
      [&](int, int64_t) {
        kernels.rms_norm_quantize_i8(x.data(), gamma.data(), tokens, features,
                                     kRmsEpsilon, q.data(), scales.data());
      },
      tokens * features * 5 + features * 4);
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
  PartRunner runner(1);
  runStreaming(
      state, runner,
      [&](int, int64_t) {
        kernels.attention_f16_cache(q.data(), k.data(), v.data(), 1, 1,
                                    position, kHeads, kKvHeads, kHeadDim, 0,
                                    kKvHeads, kCache.data(), vCache.data(),
                                    out.data(), scratch.data());
      },
      2 * visible * kKvWidth * 2);
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
  addPerThreadCount(fmt::format("{}/linear_i8/{}_{}x{}/tokens:1", backend,
                                kLmHead.tensors, kLmHead.rows, kLmHead.in),
                    benchLinearI8, kernels, kLmHead);
  addPerThreadCount(fmt::format("{}/linear_q4/{}_{}x{}/tokens:1", backend,
                                kLmHead.tensors, kLmHead.rows, kLmHead.in),
                    benchLinearQ4, kernels, kLmHead);
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
  benchmark::AddCustomContext(
      "ternc_weights", "loaded, not file-mapped: the ternary pool and the "
                       "linear_i8 and linear_q4 heads in huge pages, the rest "
                       "in heap memory");
  benchmark::AddCustomContext(
      "ternc_threads", "threads:N = N threads at once, each calling the "
                       "kernel on 1/N of the rows; an iteration waits for all");

  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
