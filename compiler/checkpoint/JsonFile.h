//===- JsonFile.h - JSON objects read without exceptions --------*- C++ -*-===//
//
// A checkpoint's safetensors headers, shard index and config.json are JSON
// objects. They are parsed by nlohmann::json in its non-throwing mode, and
// their readers access them through type checks only, so no exception can
// leave compiler/checkpoint (it is linked into tools built with
// -fno-exceptions).
//
//===----------------------------------------------------------------------===//

#ifndef TERNC_COMPILER_CHECKPOINT_JSONFILE_H
#define TERNC_COMPILER_CHECKPOINT_JSONFILE_H

#include "runtime/support/Bytes.h"
#include "runtime/support/Error.h"

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace ternc::checkpoint {

/// `bytes` parsed as one JSON object; nullopt when they are not valid JSON
/// (UTF-8) or not an object.
std::optional<nlohmann::json> parseJsonObject(ByteSpan bytes);

/// The JSON object in the file at `path`, of at most `maxBytes` bytes.
/// Errors name the file; `what` names what it is in the size error ("an
/// index": "PATH: N bytes, over the M-byte limit of an index").
Expected<nlohmann::json> readJsonObjectFile(const std::string &path,
                                            size_t maxBytes,
                                            std::string_view what);

} // namespace ternc::checkpoint

#endif // TERNC_COMPILER_CHECKPOINT_JSONFILE_H
