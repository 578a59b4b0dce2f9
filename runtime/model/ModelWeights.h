//===- ModelWeights.h - The memory a compiled model's weights run from -*- C++ -*-===//
//
// Decoding streams every weight once per token, so it runs at the speed of
// the memory holding the weights. A compiled executable carries its packed
// weights appended to it (AppendedWeights.h); a library (and a test) has
// them in memory. Either is placed:
// - resident (the default): a copy in anonymous memory with transparent huge
//   pages, filled by several threads at once (read from the executable with
//   pread, or copied). It does not depend on the page cache keeping the
//   file's pages: a host that reclaims page cache no process maps (proactive
//   reclaim on VMs does so within seconds) cannot slow decoding down.
// - mapped (`--mmap`): the file used in place. Start-up copies nothing; every
//   page is mapped up front (MADV_POPULATE_READ), because pages read ahead
//   but not yet mapped are exactly what such reclaim takes first. An
//   executable's appended weights are mapped at a 2 MiB-aligned address and
//   file offset, so that huge pages can back them.
// Either can be locked (`--mlock`).
//
//===----------------------------------------------------------------------===//

#ifndef TERNC_RUNTIME_MODEL_MODELWEIGHTS_H
#define TERNC_RUNTIME_MODEL_MODELWEIGHTS_H

#include "runtime/model/AnonymousMemory.h"
#include "runtime/support/Bytes.h"
#include "runtime/support/Error.h"

#include <string>

namespace ternc {

/// Where a compiled model's weights live while it runs.
enum class WeightsPlacement {
  /// A copy in anonymous memory (the default).
  Resident,
  /// The file, used in place (llama.cpp's --mmap).
  Mapped,
};

/// How to place the weights.
struct WeightsOptions {
  WeightsPlacement placement = WeightsPlacement::Resident;
  /// Lock the weights in memory (mlock): an error when the kernel refuses,
  /// e.g. over RLIMIT_MEMLOCK.
  bool lock = false;
  /// Threads that fill a resident copy (at least 1).
  int fillThreads = 1;
  /// Mapped placement: map every page now (as a model that will run must);
  /// false only reads what is touched (a model that only describes itself).
  bool populate = true;
};

/// The bytes a model runs from.
class ModelWeights {
public:
  ModelWeights() = default;
  ModelWeights(ModelWeights &&other) noexcept;
  ModelWeights &operator=(ModelWeights &&other) noexcept;
  ModelWeights(const ModelWeights &) = delete;
  ModelWeights &operator=(const ModelWeights &) = delete;
  ~ModelWeights();

  /// Places the packed file `bytes`, which is in memory and must outlive the
  /// result. With `fileMapping` (the bytes lie in a file mapping, e.g. a
  /// program's read-only data), a resident copy unmaps the pages it was made
  /// from, so that the weights count once in the process's memory.
  static Expected<ModelWeights> place(ByteSpan bytes, bool fileMapping,
                                      const WeightsOptions &options);

  /// Places the packed file appended to the executable `file`
  /// (AppendedWeights.h). Fails, naming the file (the target of a symbolic
  /// link such as /proc/self/exe), when it has no valid trailer or cannot
  /// be read.
  static Expected<ModelWeights> placeAppended(const std::string &file,
                                              const WeightsOptions &options);

  /// The first byte of the packed file.
  const uint8_t *data() const { return data_; }
  size_t size() const { return size_; }
  /// Whether the bytes are a resident copy.
  bool resident() const { return copy_.data() != nullptr; }

private:
  void unmapFile();

  AnonymousMemory copy_;
  /// A mapping of the file this object owns (mapped appended weights).
  void *fileMapping_ = nullptr;
  size_t fileMappingLength_ = 0;
  const uint8_t *data_ = nullptr;
  size_t size_ = 0;
};

/// Copies `size` bytes from `source` to `destination` with `threads`
/// threads (the caller's included), each taking a contiguous share that
/// starts on a 2 MiB boundary of `destination`, so that each huge page is
/// faulted in by one thread.
void parallelCopy(uint8_t *destination, const uint8_t *source, size_t size,
                  int threads);

/// Reads `size` bytes at `offset` of the file `descriptor` into
/// `destination`, shared among `threads` threads as parallelCopy does.
/// Errors name `path`.
Status parallelRead(int descriptor, const std::string &path, uint64_t offset,
                    uint8_t *destination, size_t size, int threads);

} // namespace ternc

#endif // TERNC_RUNTIME_MODEL_MODELWEIGHTS_H
