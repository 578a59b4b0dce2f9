//===- BenchSupport.cpp - What the benchmark executables share ------------===//
//
// ReadBuffer::sum lives in this translation unit, apart from its callers: one
// that saw the buffer being filled could fold the sum into a formula.
//
//===----------------------------------------------------------------------===//

#include "bench/BenchSupport.h"

#include "backends/common/StreamPrefetch.h"
#include "runtime/support/Random.h"

#include <algorithm>
#include <chrono>
#include <new>
#include <numeric>
#include <sys/mman.h>

namespace ternc::bench {

Slice evenSlice(int64_t total, int part, int parts) {
  return {total * part / parts, total * (part + 1) / parts};
}

PartRunner::PartRunner(int parts) {
  for (int part = 1; part < parts; ++part)
    workers_.emplace_back([this, part] { serve(part); });
}

PartRunner::~PartRunner() {
  stopping_.store(true, std::memory_order_relaxed);
  for (std::thread &worker : workers_)
    worker.join();
}

void PartRunner::run(const std::function<void(int part)> &work) {
  work_ = &work;
  partsLeft_.store(parts() - 1, std::memory_order_relaxed);
  runs_.fetch_add(1, std::memory_order_release);
  work(0);
  while (partsLeft_.load(std::memory_order_acquire) != 0)
    std::this_thread::yield();
}

void PartRunner::serve(int part) {
  uint64_t runsServed = 0;
  for (;;) {
    const uint64_t runs = runs_.load(std::memory_order_acquire);
    if (runs == runsServed) {
      if (stopping_.load(std::memory_order_relaxed))
        return;
      std::this_thread::yield();
      continue;
    }
    runsServed = runs;
    (*work_)(part);
    partsLeft_.fetch_sub(1, std::memory_order_release);
  }
}

HugePageMemory::HugePageMemory(int64_t bytes)
    : bytes_(static_cast<size_t>(bytes)) {
  data_ = ::mmap(nullptr, bytes_, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (data_ == MAP_FAILED)
    throw std::bad_alloc();
  (void)::madvise(data_, bytes_, MADV_HUGEPAGE); // Only a hint.
}

HugePageMemory::~HugePageMemory() { ::munmap(data_, bytes_); }

ReadBuffer::ReadBuffer(int64_t bytes)
    : words_(bytes / 8), memory_(words_ * 8),
      data_(static_cast<uint64_t *>(memory_.data())) {
  std::iota(data_, data_ + words_, uint64_t{0});
}

uint64_t ReadBuffer::sum(Slice slice, bool prefetch) const {
  const uint64_t *words = data_ + slice.begin;
  const int64_t count = slice.size();
  uint64_t sums[4] = {};
  int64_t i = 0;
  for (; i + 4 <= count; i += 4) {
    // As the kernels do: one prefetch per cache line, across page
    // boundaries, or the probe would measure less than they reach.
    if (prefetch && i % 8 == 0)
      backends::prefetchAhead(words + i);
    for (int lane = 0; lane < 4; ++lane)
      sums[lane] += words[i + lane];
  }
  for (; i < count; ++i)
    sums[0] += words[i];
  return sums[0] + sums[1] + sums[2] + sums[3];
}

uint64_t ReadBuffer::expectedSum(Slice slice) {
  // begin + (begin + 1) + ... + (end - 1) = count * (begin + end - 1) / 2,
  // modulo 2^64 like the sum itself; one factor is even, halve that one.
  const uint64_t count = static_cast<uint64_t>(slice.size());
  const uint64_t ends = static_cast<uint64_t>(slice.begin + slice.end - 1);
  return count % 2 == 0 ? count / 2 * ends : count * (ends / 2);
}

std::vector<uint8_t> randomI2SBytes(int64_t count, uint64_t seed) {
  Xoshiro256StarStar random(seed);
  std::vector<uint8_t> bytes(static_cast<size_t>(count));
  for (uint8_t &byte : bytes) {
    // Four base-3 digits, uniform over the 81 combinations of codes.
    unsigned digits = static_cast<unsigned>(random.next() % 81);
    unsigned codes = 0;
    for (int field = 0; field < 4; ++field, digits /= 3)
      codes = codes << 2 | digits % 3;
    byte = static_cast<uint8_t>(codes);
  }
  return bytes;
}

std::optional<double> timeReadPass(const ReadBuffer &buffer,
                                   PartRunner &runner) {
  const int parts = runner.parts();
  std::optional<double> fastest;
  for (bool prefetch : {false, true}) {
    std::vector<uint64_t> sums(static_cast<size_t>(parts));
    const auto start = std::chrono::steady_clock::now();
    runner.run([&buffer, &sums, parts, prefetch](int part) {
      sums[static_cast<size_t>(part)] =
          buffer.sum(evenSlice(buffer.words(), part, parts), prefetch);
    });
    const std::chrono::duration<double> elapsed =
        std::chrono::steady_clock::now() - start;
    for (int part = 0; part < parts; ++part)
      if (sums[static_cast<size_t>(part)] !=
          ReadBuffer::expectedSum(evenSlice(buffer.words(), part, parts)))
        return std::nullopt;
    fastest = std::min(fastest.value_or(elapsed.count()), elapsed.count());
  }
  return fastest;
}

Summary summarize(std::vector<double> rates) {
  std::sort(rates.begin(), rates.end());
  const size_t middle = rates.size() / 2;
  const double median = rates.size() % 2 != 0
                            ? rates[middle]
                            : (rates[middle - 1] + rates[middle]) / 2;
  return {median, rates.back(), rates.front()};
}

} // namespace ternc::bench
