//===- BenchSupport.h - What the benchmark executables share ----*- C++ -*-===//
//
// ternc-bandwidth measures the machine's read bandwidth, the yardstick of
// every bandwidth-bound kernel (bench/README.md, "Units and measurement");
// ternc-kernel-bench measures it again beside the kernels, because on a
// shared machine a bandwidth figure only judges what ran in the same process
// at about the same time. Both read the same buffer with the same loop, and
// both split work across threads the same way: each thread takes an equal,
// consecutive share, and every call waits for all shares, as a runtime
// splitting a matrix's rows does. The kernel benchmarks also share their
// random ternary weights.
//
//===----------------------------------------------------------------------===//

#ifndef TERNC_BENCH_BENCHSUPPORT_H
#define TERNC_BENCH_BENCHSUPPORT_H

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

namespace ternc::bench {

/// The half-open range [begin, end) of some count of items.
struct Slice {
  int64_t begin = 0;
  int64_t end = 0;

  int64_t size() const { return end - begin; }
};

/// Part `part` (0-based) of `parts` near-equal, consecutive parts of `total`
/// items: a thread's share of rows or words.
Slice evenSlice(int64_t total, int part, int parts);

/// Runs work split into a fixed number of parts, one thread per part, and
/// returns when every part is done. The calling thread does part 0; the
/// others are started once and spin between runs (yielding the core), so a
/// run costs a wake-up, not a thread start.
class PartRunner {
public:
  explicit PartRunner(int parts);
  ~PartRunner();
  PartRunner(const PartRunner &) = delete;
  PartRunner &operator=(const PartRunner &) = delete;

  int parts() const { return static_cast<int>(workers_.size()) + 1; }

  /// Calls work(part) for every part in [0, parts()), each on its thread.
  void run(const std::function<void(int part)> &work);

private:
  void serve(int part);

  const std::function<void(int)> *work_ = nullptr;
  std::atomic<uint64_t> runs_{0};
  std::atomic<int> partsLeft_{0};
  std::atomic<bool> stopping_{false};
  std::vector<std::thread> workers_;
};

/// `bytes` bytes of zeroed anonymous memory with transparent huge pages
/// requested before first touch, as a compiled model's resident weights are
/// (runtime/model/ModelWeights.h): streamed from it, hardware prefetchers
/// are not stopped at every 4 KiB, as they are in std::vector's memory.
class HugePageMemory {
public:
  explicit HugePageMemory(int64_t bytes);
  ~HugePageMemory();
  HugePageMemory(const HugePageMemory &) = delete;
  HugePageMemory &operator=(const HugePageMemory &) = delete;

  /// The first byte.
  void *data() const { return data_; }

private:
  void *data_;
  size_t bytes_;
};

/// A buffer of 64-bit words holding 0, 1, 2, ...: every page is written
/// before it is read (so reads reach memory, never the kernel's shared zero
/// page), and every slice has a known sum (so a reader can check that the
/// compiler kept the loop and that it read every word). The words are in
/// HugePageMemory.
class ReadBuffer {
public:
  /// Allocates and fills `bytes / 8` words.
  explicit ReadBuffer(int64_t bytes);

  int64_t words() const { return words_; }
  /// The bytes a read of all words streams.
  int64_t bytes() const { return words_ * 8; }

  /// The wrapping sum of the words in `slice`, read front to back: four
  /// independent 64-bit sums, a loop compilers turn into wide vector loads.
  /// With `prefetch`, one software prefetch per cache line goes ahead as in
  /// the SIMD kernels (backends/common/StreamPrefetch.h).
  uint64_t sum(Slice slice, bool prefetch) const;

  /// What sum(slice) returns when it reads every word of `slice`.
  static uint64_t expectedSum(Slice slice);

private:
  int64_t words_;
  HugePageMemory memory_;
  uint64_t *data_;
};

/// `count` bytes of I2_S codes (KernelAbi.h) of fixed-seed random trits,
/// uniform over -1, 0, +1: each byte four 2-bit codes 0..2, so any stretch of
/// rows * in / 4 bytes is a valid ternary matrix.
std::vector<uint8_t> randomI2SBytes(int64_t count, uint64_t seed);

/// Reads all of `buffer` on `runner`'s threads, each summing its even share
/// of the words, once plainly and once with software prefetches, and
/// returns the shorter wall time in seconds (the threads already run): the
/// fastest this machine streams memory, whichever way its prefetchers like
/// (software prefetch helped by 50% on one host's 4 KiB pages and cost 15%
/// on another's huge pages). Nothing when a sum is wrong (the summing loop
/// skipped words).
std::optional<double> timeReadPass(const ReadBuffer &buffer,
                                   PartRunner &runner);

/// The median, best and worst of some rates.
struct Summary {
  double median, best, worst;
};

/// The Summary of `rates` (at least one).
Summary summarize(std::vector<double> rates);

} // namespace ternc::bench

#endif // TERNC_BENCH_BENCHSUPPORT_H
