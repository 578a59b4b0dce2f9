//===- OutputFile.cpp - Write a file completely or not at all -------------===//

#include "runtime/support/OutputFile.h"

#include <cerrno>
#include <cstring>
#include <memory>
#include <unistd.h>

namespace ternc {

Expected<std::unique_ptr<OutputFile>>
OutputFile::create(const std::string &path) {
  std::string tempPath = fmt::format("{}.tmp-{}", path, ::getpid());
  std::FILE *stream = std::fopen(tempPath.c_str(), "wb");
  if (!stream)
    return makeError("{}: cannot create output file: {}", path,
                     std::strerror(errno));
  return std::unique_ptr<OutputFile>(new OutputFile(path, tempPath, stream));
}

OutputFile::~OutputFile() {
  if (stream_) {
    std::fclose(stream_);
    std::remove(tempPath_.c_str());
  }
}

Status OutputFile::write(const void *data, size_t size) {
  if (size != 0 && std::fwrite(data, 1, size, stream_) != size)
    return makeError("{}: write failed at byte {}: {}", path_, position_,
                     std::strerror(errno));
  position_ += size;
  return Status::success();
}

Status OutputFile::writeZeros(size_t count) {
  static const char zeros[4096] = {};
  while (count > 0) {
    size_t chunk = count < sizeof(zeros) ? count : sizeof(zeros);
    TERNC_RETURN_IF_ERROR(write(zeros, chunk));
    count -= chunk;
  }
  return Status::success();
}

Status OutputFile::commit() {
  std::FILE *stream = stream_;
  stream_ = nullptr;
  if (std::fflush(stream) != 0 || std::fclose(stream) != 0) {
    std::remove(tempPath_.c_str());
    return makeError("{}: write failed: {}", path_, std::strerror(errno));
  }
  if (std::rename(tempPath_.c_str(), path_.c_str()) != 0) {
    int savedErrno = errno;
    std::remove(tempPath_.c_str());
    return makeError("{}: cannot move output into place: {}", path_,
                     std::strerror(savedErrno));
  }
  return Status::success();
}

Status writeSerialized(const std::string &path, const Serializer &serialize) {
  Expected<std::unique_ptr<OutputFile>> output = OutputFile::create(path);
  if (!output)
    return output.error();
  OutputFile &file = **output;
  TERNC_RETURN_IF_ERROR(serialize(
      [&](const void *data, uint64_t size) { return file.write(data, size); }));
  return file.commit();
}

Expected<std::vector<uint8_t>> serializeToMemory(const Serializer &serialize) {
  std::vector<uint8_t> bytes;
  TERNC_RETURN_IF_ERROR(serialize([&](const void *data, uint64_t size) {
    const uint8_t *p = static_cast<const uint8_t *>(data);
    bytes.insert(bytes.end(), p, p + size);
    return Status::success();
  }));
  return bytes;
}

} // namespace ternc
