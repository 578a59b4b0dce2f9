//===- AnonymousMemory.cpp - Page-aligned zeroed memory from mmap ---------===//

#include "runtime/model/AnonymousMemory.h"

#include <cerrno>
#include <cstring>
#include <sys/mman.h>
#include <unistd.h>

namespace ternc {

Expected<AnonymousMemory> AnonymousMemory::allocate(size_t bytes,
                                                    bool hugePages,
                                                    const char *what) {
  if (bytes == 0)
    return AnonymousMemory();
  size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  if (bytes > SIZE_MAX - page)
    return makeError("cannot allocate {} bytes for the {}: too large", bytes,
                     what);
  size_t mapped = (bytes + page - 1) / page * page;
  void *memory = ::mmap(nullptr, mapped, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (memory == MAP_FAILED)
    return makeError("cannot allocate {} bytes for the {}: {}", bytes, what,
                     std::strerror(errno));
#ifdef MADV_HUGEPAGE
  if (hugePages)
    (void)::madvise(memory, mapped, MADV_HUGEPAGE); // Only a hint.
#else
  (void)hugePages;
#endif
  return AnonymousMemory(static_cast<uint8_t *>(memory), bytes, mapped);
}

AnonymousMemory::AnonymousMemory(AnonymousMemory &&other) noexcept
    : data_(other.data_), size_(other.size_), mapped_(other.mapped_) {
  other.data_ = nullptr;
  other.size_ = other.mapped_ = 0;
}

AnonymousMemory &AnonymousMemory::operator=(AnonymousMemory &&other) noexcept {
  if (this != &other) {
    release();
    data_ = other.data_;
    size_ = other.size_;
    mapped_ = other.mapped_;
    other.data_ = nullptr;
    other.size_ = other.mapped_ = 0;
  }
  return *this;
}

AnonymousMemory::~AnonymousMemory() { release(); }

void AnonymousMemory::release() {
  if (data_)
    ::munmap(data_, mapped_);
  data_ = nullptr;
  size_ = mapped_ = 0;
}

Status AnonymousMemory::protectReadOnly() {
  if (data_ && ::mprotect(data_, mapped_, PROT_READ) != 0)
    return makeError("cannot make {} bytes read-only: {}", size_,
                     std::strerror(errno));
  return Status::success();
}

} // namespace ternc
