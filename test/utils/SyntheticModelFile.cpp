//===- SyntheticModelFile.cpp - A generated model file for tests ----------===//

#include "test/utils/SyntheticModelFile.h"

#include <atomic>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <gtest/gtest.h>
#include <unistd.h>

namespace ternc::test {

SyntheticModelFile::SyntheticModelFile(
    const model::SyntheticModelOptions &options) {
  static std::atomic<int> counter{0};
  path_ = (std::filesystem::temp_directory_path() /
           ("ternc-test-" + std::to_string(::getpid()) + "-" +
            std::to_string(counter++) + ".gguf"))
              .string();
  Status written = model::writeSyntheticModel(options, path_);
  if (!written.ok()) {
    ADD_FAILURE() << written.error().message();
    return;
  }
  Expected<gguf::GgufFile> file = gguf::GgufFile::open(path_);
  if (!file.ok()) {
    ADD_FAILURE() << file.error().message();
    return;
  }
  file_ = std::make_unique<gguf::GgufFile>(file.take());
}

SyntheticModelFile::~SyntheticModelFile() {
  file_.reset(); // Unmap before removing.
  std::remove(path_.c_str());
}

std::string parameterName(std::string text) {
  for (char &c : text)
    if (!std::isalnum(static_cast<unsigned char>(c)))
      c = '_';
  return text;
}

} // namespace ternc::test
