//===- GgufRewrite.h - Copy a GGUF model with edits, for tests --*- C++ -*-===//

#ifndef TERNC_TEST_UTILS_GGUFREWRITE_H
#define TERNC_TEST_UTILS_GGUFREWRITE_H

#include "runtime/gguf/GgufFile.h"
#include "runtime/gguf/GgufWriter.h"

#include <functional>
#include <string_view>
#include <vector>

namespace ternc::test {

/// Called for each tensor being copied; may change its type, shape or bytes.
using TensorEdit =
    std::function<void(std::string_view name, gguf::TensorType &type,
                       std::vector<uint64_t> &ne, std::vector<uint8_t> &bytes)>;

/// Called after the metadata and tensors are copied, to change keys or add
/// tensors.
using WriterEdit = std::function<void(gguf::GgufWriter &writer)>;

/// Copies `file` into a new GGUF image in memory, applying `edit` to every
/// tensor and then `finish` to the writer.
std::vector<uint8_t> rewriteGguf(const gguf::GgufFile &file,
                                 const TensorEdit &edit,
                                 const WriterEdit &finish = {});

} // namespace ternc::test

#endif // TERNC_TEST_UTILS_GGUFREWRITE_H
