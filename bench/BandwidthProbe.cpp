//===- BandwidthProbe.cpp - This machine's read bandwidth -----------------===//
//
// ternc-bandwidth [--bytes N] [--repetitions N]
//
// Streams a buffer of N bytes (default 1 GiB, allocated and written first)
// with 1 and with 2 threads, each thread summing an equal slice, and repeats
// that N times (default 5). The thread counts take turns within each
// repetition, so both see the same drift of a shared machine. Prints the
// median, best and worst GB/s (10^9 bytes per second) per thread count. Every
// pass checks its sums, so a figure always comes from reading every byte.
// The buffer is in anonymous memory with transparent huge pages, as a
// compiled model's resident weights are, and each pass is the faster of a
// plain loop and one that prefetches 8 KiB ahead as the SIMD kernels do
// (backends/common/StreamPrefetch.h): on an Intel host with 4 KiB pages
// only the prefetching loop reached what decode streamed; on an AMD host
// with huge pages the plain one was 15-20% faster. A roofline must be the
// fastest read the machine does.
//
//===----------------------------------------------------------------------===//

#include "bench/BenchSupport.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <iterator>
#include <limits>
#include <optional>
#include <string>
#include <thread>
#include <vector>

using namespace ternc::bench;

namespace {

/// The thread counts measured, in this order within each repetition.
constexpr int kThreadCounts[] = {1, 2};

/// The smallest buffer: four words (one step of the summing loop) for each
/// of the most threads.
constexpr int64_t kMinimumBytes = 64;

constexpr char kUsage[] =
    "usage: ternc-bandwidth [--bytes N] [--repetitions N]\n"
    "  --bytes N        bytes read per pass (default 1073741824 = 1 GiB, at "
    "least 64)\n"
    "  --repetitions N  passes per thread count (default 5)\n";

struct Options {
  int64_t bytes = int64_t{1} << 30;
  int64_t repetitions = 5;
};

/// `text` as a decimal integer in [minimum, maximum], or nothing.
std::optional<int64_t> parseInteger(const char *text, int64_t minimum,
                                    int64_t maximum) {
  char *end = nullptr;
  errno = 0;
  const long long value = std::strtoll(text, &end, 10);
  if (end == text || *end != '\0' || errno == ERANGE || value < minimum ||
      value > maximum)
    return std::nullopt;
  return value;
}

/// The options of the command line, or nothing when it is malformed.
std::optional<Options> parseOptions(int argc, char **argv) {
  Options options;
  if ((argc - 1) % 2 != 0)
    return std::nullopt;
  for (int i = 1; i < argc; i += 2) {
    const std::string flag = argv[i];
    int64_t *target = flag == "--bytes"         ? &options.bytes
                      : flag == "--repetitions" ? &options.repetitions
                                                : nullptr;
    const int64_t minimum = flag == "--bytes" ? kMinimumBytes : 1;
    std::optional<int64_t> value =
        parseInteger(argv[i + 1], minimum, std::numeric_limits<int64_t>::max());
    if (!target || !value)
      return std::nullopt;
    *target = *value;
  }
  return options;
}

} // namespace

int main(int argc, char **argv) {
  const std::optional<Options> options = parseOptions(argc, argv);
  if (!options) {
    fmt::print(stderr, "{}", kUsage);
    return 2;
  }

  const ReadBuffer buffer(options->bytes);
  std::vector<std::vector<double>> rates(std::size(kThreadCounts));
  for (int64_t repetition = 0; repetition < options->repetitions; ++repetition)
    for (size_t i = 0; i < std::size(kThreadCounts); ++i) {
      PartRunner runner(kThreadCounts[i]);
      const std::optional<double> seconds = timeReadPass(buffer, runner);
      if (!seconds) {
        fmt::print(stderr, "ternc-bandwidth: a thread's sum is wrong: the "
                           "summing loop skipped words\n");
        return 1;
      }
      rates[i].push_back(static_cast<double>(buffer.bytes()) / *seconds / 1e9);
    }

  fmt::print("ternc-bandwidth: {} bytes ({:.2f} GB) read per pass, {} passes "
             "per thread count, {} hardware threads\n",
             buffer.bytes(), static_cast<double>(buffer.bytes()) / 1e9,
             options->repetitions, std::thread::hardware_concurrency());
  fmt::print("threads  median GB/s  best GB/s  worst GB/s\n");
  for (size_t i = 0; i < std::size(kThreadCounts); ++i) {
    const Summary summary = summarize(rates[i]);
    fmt::print("{:>7}  {:>11.1f}  {:>9.1f}  {:>10.1f}\n", kThreadCounts[i],
               summary.median, summary.best, summary.worst);
  }
  return 0;
}
