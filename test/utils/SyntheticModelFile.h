//===- SyntheticModelFile.h - A generated model file for tests --*- C++ -*-===//

#ifndef TERNC_TEST_UTILS_SYNTHETICMODELFILE_H
#define TERNC_TEST_UTILS_SYNTHETICMODELFILE_H

#include "compiler/model/SyntheticModel.h"
#include "runtime/gguf/GgufFile.h"

#include <memory>
#include <string>

namespace ternc::test {

/// A synthetic model (ternc mkmodel) written to a temporary file of its own,
/// opened, and removed again on destruction. A failure to write or open it
/// is reported as a test failure and leaves file() null.
class SyntheticModelFile {
public:
  explicit SyntheticModelFile(const model::SyntheticModelOptions &options);
  ~SyntheticModelFile();
  SyntheticModelFile(const SyntheticModelFile &) = delete;
  SyntheticModelFile &operator=(const SyntheticModelFile &) = delete;

  /// The open model, or nullptr when it could not be made.
  const gguf::GgufFile *file() const { return file_.get(); }
  /// Where it was written.
  const std::string &path() const { return path_; }

private:
  std::string path_;
  std::unique_ptr<gguf::GgufFile> file_;
};

/// `text` with every character that a GoogleTest parameter name cannot hold
/// replaced by '_' ("bitnet-b1.58" -> "bitnet_b1_58").
std::string parameterName(std::string text);

} // namespace ternc::test

#endif // TERNC_TEST_UTILS_SYNTHETICMODELFILE_H
