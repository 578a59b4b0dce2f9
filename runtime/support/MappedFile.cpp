//===- MappedFile.cpp - Read-only memory mapping of a file ----------------===//

#include "runtime/support/MappedFile.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace ternc {

Expected<std::unique_ptr<MappedFile>> MappedFile::open(const std::string &path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return makeError("{}: cannot open: {}", path, std::strerror(errno));
  struct stat info;
  if (::fstat(fd, &info) != 0) {
    int savedErrno = errno;
    ::close(fd);
    return makeError("{}: cannot stat: {}", path, std::strerror(savedErrno));
  }
  if (!S_ISREG(info.st_mode)) {
    ::close(fd);
    return makeError("{}: not a regular file", path);
  }
  size_t size = static_cast<size_t>(info.st_size);
  const uint8_t *data = nullptr;
  if (size > 0) {
    void *mapping = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (mapping == MAP_FAILED) {
      int savedErrno = errno;
      ::close(fd);
      return makeError("{}: cannot map {} bytes: {}", path, size,
                       std::strerror(savedErrno));
    }
    data = static_cast<const uint8_t *>(mapping);
  }
  ::close(fd); // The mapping keeps the file alive.
  return std::unique_ptr<MappedFile>(new MappedFile(path, data, size));
}

MappedFile::~MappedFile() {
  if (data_)
    ::munmap(const_cast<uint8_t *>(data_), size_);
}

void MappedFile::release(ByteSpan range) const {
  const uintptr_t page = static_cast<uintptr_t>(::sysconf(_SC_PAGESIZE));
  uintptr_t begin =
      (reinterpret_cast<uintptr_t>(range.data) + page - 1) / page * page;
  uintptr_t end =
      (reinterpret_cast<uintptr_t>(range.data) + range.size) / page * page;
  if (end > begin)
    ::madvise(reinterpret_cast<void *>(begin), end - begin, MADV_DONTNEED);
}

} // namespace ternc
