//===- ModelWeights.cpp - The memory a compiled model's weights run from --===//

#include "runtime/model/ModelWeights.h"

#include "runtime/model/AppendedWeights.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <functional>
#include <mutex>
#include <optional>
#include <sys/mman.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>
#include <vector>

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22 // Linux 5.14; older kernels answer EINVAL.
#endif

namespace ternc {
namespace {

constexpr size_t kHugePage = size_t(2) << 20;

size_t pageSize() { return static_cast<size_t>(::sysconf(_SC_PAGESIZE)); }

/// The whole pages inside `bytes`, as (start, length); length 0 if none.
std::pair<uint8_t *, size_t> wholePages(ByteSpan bytes) {
  const uintptr_t page = pageSize();
  uintptr_t begin =
      (reinterpret_cast<uintptr_t>(bytes.data) + page - 1) / page * page;
  uintptr_t end =
      (reinterpret_cast<uintptr_t>(bytes.data) + bytes.size) / page * page;
  if (end <= begin)
    return {nullptr, 0};
  return {reinterpret_cast<uint8_t *>(begin), end - begin};
}

/// The pages holding `bytes`, rounded outwards, as (start, length).
std::pair<uint8_t *, size_t> coveringPages(ByteSpan bytes) {
  const uintptr_t page = pageSize();
  uintptr_t begin = reinterpret_cast<uintptr_t>(bytes.data) / page * page;
  uintptr_t end =
      (reinterpret_cast<uintptr_t>(bytes.data) + bytes.size + page - 1) /
      page * page;
  return {reinterpret_cast<uint8_t *>(begin), end - begin};
}

/// Maps every page of `bytes` now. Kernels without MADV_POPULATE_READ get a
/// read of one byte per page instead.
void populate(ByteSpan bytes) {
  auto [start, length] = coveringPages(bytes);
  if (::madvise(start, length, MADV_POPULATE_READ) == 0)
    return;
  volatile uint8_t sink = 0;
  for (size_t offset = 0; offset < bytes.size; offset += pageSize())
    sink = sink + bytes.data[offset];
}

Status lock(ByteSpan bytes) {
  auto [start, length] = coveringPages(bytes);
  if (::mlock(start, length) == 0)
    return Status::success();
  int error = errno;
  return makeError("--mlock: cannot lock the {} bytes of model weights in "
                   "memory: {}{}",
                   bytes.size, std::strerror(error),
                   error == ENOMEM || error == EPERM
                       ? " (raise the locked-memory limit, e.g. `ulimit -l "
                         "unlimited`, or run without --mlock)"
                       : "");
}

/// Maps the mapped-placement weights in place (populated or locked).
Status settleInPlace(ByteSpan bytes, const WeightsOptions &options) {
  if (auto [start, length] = wholePages(bytes); length)
    (void)::madvise(start, length, MADV_HUGEPAGE); // Only a hint.
  if (options.lock)
    return lock(bytes);
  if (options.populate)
    populate(bytes);
  return Status::success();
}

/// Calls share(begin, end) on `threads` threads (the caller's included) for
/// contiguous shares of [0, size) that start on 2 MiB boundaries of `base`.
void forEachShare(const uint8_t *base, size_t size, int threads,
                  const std::function<void(size_t, size_t)> &share) {
  threads = std::max(threads, 1);
  const uintptr_t address = reinterpret_cast<uintptr_t>(base);
  const size_t each = (size + threads - 1) / threads;
  std::vector<size_t> bounds{0};
  for (int i = 1; i < threads; ++i) {
    uintptr_t end =
        (address + i * each + kHugePage - 1) / kHugePage * kHugePage;
    bounds.push_back(std::clamp<size_t>(end - address, bounds.back(), size));
  }
  bounds.push_back(size);
  std::vector<std::thread> workers;
  for (int i = 1; i < threads; ++i)
    if (bounds[i + 1] > bounds[i])
      workers.emplace_back(share, bounds[i], bounds[i + 1]);
  share(bounds[0], bounds[1]);
  for (std::thread &worker : workers)
    worker.join();
}

/// A file descriptor closed on destruction.
struct Descriptor {
  int fd = -1;
  ~Descriptor() {
    if (fd >= 0)
      ::close(fd);
  }
};

/// Reads exactly `size` bytes at `offset`.
Status readAt(int fd, const std::string &path, uint64_t offset, uint8_t *out,
              size_t size) {
  while (size > 0) {
    ssize_t got = ::pread(fd, out, std::min<size_t>(size, size_t(1) << 30),
                          static_cast<off_t>(offset));
    if (got < 0 && errno == EINTR)
      continue;
    if (got <= 0)
      return makeError("{}: cannot read the model weights at offset {}: {}",
                       path, offset,
                       got < 0 ? std::strerror(errno) : "unexpected end");
    out += got;
    offset += static_cast<uint64_t>(got);
    size -= static_cast<size_t>(got);
  }
  return Status::success();
}

} // namespace

void parallelCopy(uint8_t *destination, const uint8_t *source, size_t size,
                  int threads) {
  forEachShare(destination, size, threads, [&](size_t begin, size_t end) {
    std::memcpy(destination + begin, source + begin, end - begin);
  });
}

Status parallelRead(int descriptor, const std::string &path, uint64_t offset,
                    uint8_t *destination, size_t size, int threads) {
  std::mutex mutex;
  std::optional<Error> failure;
  forEachShare(destination, size, threads, [&](size_t begin, size_t end) {
    Status status =
        readAt(descriptor, path, offset + begin, destination + begin,
               end - begin);
    if (!status.ok()) {
      std::lock_guard<std::mutex> guard(mutex);
      if (!failure)
        failure.emplace(status.error());
    }
  });
  if (failure)
    return *failure;
  return Status::success();
}

ModelWeights::ModelWeights(ModelWeights &&other) noexcept
    : copy_(std::move(other.copy_)), fileMapping_(other.fileMapping_),
      fileMappingLength_(other.fileMappingLength_), data_(other.data_),
      size_(other.size_) {
  other.fileMapping_ = nullptr;
  other.fileMappingLength_ = 0;
  other.data_ = nullptr;
  other.size_ = 0;
}

ModelWeights &ModelWeights::operator=(ModelWeights &&other) noexcept {
  if (this != &other) {
    unmapFile();
    copy_ = std::move(other.copy_);
    fileMapping_ = other.fileMapping_;
    fileMappingLength_ = other.fileMappingLength_;
    data_ = other.data_;
    size_ = other.size_;
    other.fileMapping_ = nullptr;
    other.fileMappingLength_ = 0;
    other.data_ = nullptr;
    other.size_ = 0;
  }
  return *this;
}

ModelWeights::~ModelWeights() { unmapFile(); }

void ModelWeights::unmapFile() {
  if (fileMapping_)
    ::munmap(fileMapping_, fileMappingLength_);
  fileMapping_ = nullptr;
  fileMappingLength_ = 0;
}

Expected<ModelWeights> ModelWeights::place(ByteSpan bytes, bool fileMapping,
                                           const WeightsOptions &options) {
  ModelWeights weights;
  weights.size_ = bytes.size;
  if (options.placement == WeightsPlacement::Mapped) {
    TERNC_RETURN_IF_ERROR(settleInPlace(bytes, options));
    weights.data_ = bytes.data;
    return weights;
  }
  Expected<AnonymousMemory> copy =
      AnonymousMemory::allocate(bytes.size, /*hugePages=*/true, "model weights");
  if (!copy)
    return copy.error();
  parallelCopy(copy->data(), bytes.data, bytes.size, options.fillThreads);
  TERNC_RETURN_IF_ERROR(copy->protectReadOnly());
  if (options.lock)
    TERNC_RETURN_IF_ERROR(lock({copy->data(), copy->size()}));
  // The pages copied from are not read again: drop them so that the
  // weights count once in the process's memory. The page cache may keep
  // them.
  if (auto [start, length] = wholePages(bytes); length && fileMapping)
    (void)::madvise(start, length, MADV_DONTNEED);
  weights.copy_ = copy.take();
  weights.data_ = weights.copy_.data();
  return weights;
}

Expected<ModelWeights>
ModelWeights::placeAppended(const std::string &file,
                            const WeightsOptions &options) {
  // Messages name the program, not /proc/self/exe.
  std::string path = file;
  char target[4096];
  if (ssize_t length = ::readlink(file.c_str(), target, sizeof target);
      length > 0 && static_cast<size_t>(length) < sizeof target)
    path.assign(target, static_cast<size_t>(length));
  Descriptor descriptor;
  int &fd = descriptor.fd;
  fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return makeError("{}: cannot open to read the model weights: {}", path,
                     std::strerror(errno));
  struct stat info;
  if (::fstat(fd, &info) != 0)
    return makeError("{}: cannot stat: {}", path, std::strerror(errno));
  const uint64_t fileSize = static_cast<uint64_t>(info.st_size);
  AppendedWeightsTrailer trailer;
  const char *missing = "the model weights appended to the executable are "
                        "missing or damaged (was it stripped, truncated or "
                        "rewritten? compile it again)";
  if (fileSize < sizeof trailer)
    return makeError("{}: {}", path, missing);
  TERNC_RETURN_IF_ERROR(readAt(fd, path, fileSize - sizeof trailer,
                               reinterpret_cast<uint8_t *>(&trailer),
                               sizeof trailer));
  const uint64_t end = fileSize - sizeof trailer;
  if (std::memcmp(trailer.magic, kAppendedWeightsMagic,
                  sizeof kAppendedWeightsMagic) != 0 ||
      trailer.offset % kAppendedWeightsAlignment != 0 || trailer.size == 0 ||
      trailer.offset > end || trailer.size != end - trailer.offset ||
      trailer.size > SIZE_MAX / 2)
    return makeError("{}: {}", path, missing);
  const size_t size = static_cast<size_t>(trailer.size);

  ModelWeights weights;
  weights.size_ = size;
  if (options.placement == WeightsPlacement::Resident) {
    Expected<AnonymousMemory> copy =
        AnonymousMemory::allocate(size, /*hugePages=*/true, "model weights");
    if (!copy)
      return copy.error();
    TERNC_RETURN_IF_ERROR(parallelRead(fd, path, trailer.offset,
                                       copy->data(), size,
                                       options.fillThreads));
    TERNC_RETURN_IF_ERROR(copy->protectReadOnly());
    if (options.lock)
      TERNC_RETURN_IF_ERROR(lock({copy->data(), copy->size()}));
    weights.copy_ = copy.take();
    weights.data_ = weights.copy_.data();
    return weights;
  }

  // A 2 MiB-aligned address for a 2 MiB-aligned file offset: reserve a
  // little more address space than needed and map the file over its
  // aligned part.
  const size_t reserved = size + kHugePage;
  void *reservation =
      ::mmap(nullptr, reserved, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (reservation == MAP_FAILED)
    return makeError("{}: cannot reserve {} bytes of address space for the "
                     "model weights: {}",
                     path, reserved, std::strerror(errno));
  weights.fileMapping_ = reservation;
  weights.fileMappingLength_ = reserved;
  uint8_t *aligned = reinterpret_cast<uint8_t *>(
      (reinterpret_cast<uintptr_t>(reservation) + kHugePage - 1) / kHugePage *
      kHugePage);
  if (::mmap(aligned, size, PROT_READ, MAP_PRIVATE | MAP_FIXED, fd,
             static_cast<off_t>(trailer.offset)) == MAP_FAILED)
    return makeError("{}: cannot map the {} bytes of model weights: {}", path,
                     size, std::strerror(errno));
  TERNC_RETURN_IF_ERROR(settleInPlace({aligned, size}, options));
  weights.data_ = aligned;
  return weights;
}

} // namespace ternc
