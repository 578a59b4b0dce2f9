//===- JsonFile.cpp - JSON objects read without exceptions ----------------===//

#include "compiler/checkpoint/JsonFile.h"

#include "runtime/support/MappedFile.h"

namespace ternc::checkpoint {

std::optional<nlohmann::json> parseJsonObject(ByteSpan bytes) {
  nlohmann::json document =
      nlohmann::json::parse(bytes.begin(), bytes.end(), /*cb=*/nullptr,
                            /*allow_exceptions=*/false);
  if (document.is_discarded() || !document.is_object())
    return std::nullopt;
  return document;
}

Expected<nlohmann::json> readJsonObjectFile(const std::string &path,
                                            size_t maxBytes,
                                            std::string_view what) {
  Expected<std::unique_ptr<MappedFile>> mapping = MappedFile::open(path);
  if (!mapping)
    return mapping.error();
  const ByteSpan bytes = (*mapping)->bytes();
  if (bytes.size > maxBytes)
    return makeError("{}: {} bytes, over the {}-byte limit of {}", path,
                     bytes.size, maxBytes, what);
  std::optional<nlohmann::json> document = parseJsonObject(bytes);
  if (!document)
    return makeError("{}: not a valid JSON object (UTF-8)", path);
  return std::move(*document);
}

} // namespace ternc::checkpoint
