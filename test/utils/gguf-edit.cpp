//===- gguf-edit.cpp - Make broken variants of a GGUF file for tests ------===//
//
// Copies a GGUF file, applying edits, so lit tests can show how ternc treats
// a model with one thing wrong:
//   gguf-edit IN OUT [--drop NAME] [--retype NAME=TYPE]
//                    [--retype-all TYPE=TYPE] [--rows NAME=N]
//                    [--set-u32 KEY=VALUE] [--set-str KEY=VALUE]
//                    [--drop-key KEY]
// --retype re-encodes a tensor (dequantize, quantize), --retype-all every
// tensor of the first type; --rows keeps the first N rows of a 2-D tensor,
// giving it a wrong shape.
//
//===----------------------------------------------------------------------===//

#include "runtime/gguf/GgufFile.h"
#include "runtime/gguf/GgufWriter.h"
#include "runtime/gguf/Quants.h"

#include <cstdio>
#include <cstring>
#include <map>
#include <set>
#include <string>

using namespace ternc;
using namespace ternc::gguf;

namespace {

struct Edits {
  std::set<std::string> droppedTensors, droppedKeys;
  std::map<std::string, TensorType> retyped;
  /// --retype-all: the new type of every tensor of a type.
  std::map<TensorType, TensorType> retypedTypes;
  std::map<std::string, uint64_t> rows;
  std::map<std::string, uint32_t> u32Keys;
  /// Replaced, or added when the file lacks them.
  std::map<std::string, std::string> stringKeys;
};

int fail(const std::string &message) {
  std::fprintf(stderr, "gguf-edit: %s\n", message.c_str());
  return 1;
}

/// Splits "NAME=VALUE".
bool splitAssignment(const std::string &text, std::string &name,
                     std::string &value) {
  size_t eq = text.find('=');
  if (eq == std::string::npos)
    return false;
  name = text.substr(0, eq);
  value = text.substr(eq + 1);
  return true;
}

/// Adds `tensor` to `writer` with the edits that apply to it.
Status copyTensor(const GgufFile &file, const TensorInfo &tensor,
                  const Edits &edits, GgufWriter &writer) {
  std::string name(tensor.name);
  std::vector<uint64_t> ne(tensor.ne.begin(), tensor.ne.begin() + tensor.nDims);
  ByteSpan data = file.tensorData(tensor);
  auto rows = edits.rows.find(name);
  std::optional<TensorType> retype;
  if (auto byName = edits.retyped.find(name); byName != edits.retyped.end())
    retype = byName->second;
  else if (auto byType = edits.retypedTypes.find(tensor.type);
           byType != edits.retypedTypes.end())
    retype = byType->second;
  if (rows == edits.rows.end() && !retype)
    return writer.addTensor(name, tensor.type, ne,
                            std::vector<uint8_t>(data.begin(), data.end()));
  std::vector<float> values(tensor.elements);
  TERNC_RETURN_IF_ERROR(
      dequantize(tensor.type, data, tensor.elements, values.data()));
  if (rows != edits.rows.end()) {
    if (ne.size() != 2 || rows->second > ne[1])
      return makeError("--rows {}: not a 2-D tensor with that many rows",
                       name);
    ne[1] = rows->second;
    values.resize(ne[0] * ne[1]);
  }
  TensorType type = retype.value_or(tensor.type);
  std::vector<uint8_t> bytes;
  TERNC_RETURN_IF_ERROR(quantize(type, values.data(), values.size(), bytes));
  return writer.addTensor(name, type, ne, std::move(bytes));
}

} // namespace

int main(int argc, char **argv) {
  if (argc < 3)
    return fail("usage: gguf-edit IN OUT [edits...]");
  Edits edits;
  for (int i = 3; i < argc; ++i) {
    std::string flag = argv[i];
    if (i + 1 >= argc)
      return fail(flag + " needs a value");
    std::string arg = argv[++i], name, value;
    if (flag == "--drop") {
      edits.droppedTensors.insert(arg);
    } else if (flag == "--drop-key") {
      edits.droppedKeys.insert(arg);
    } else if (!splitAssignment(arg, name, value)) {
      return fail(flag + " expects NAME=VALUE");
    } else if (flag == "--retype") {
      std::optional<TensorType> type = typeFromName(value);
      if (!type)
        return fail("unknown type " + value);
      edits.retyped[name] = *type;
    } else if (flag == "--retype-all") {
      std::optional<TensorType> from = typeFromName(name),
                                to = typeFromName(value);
      if (!from || !to)
        return fail("unknown type in " + arg);
      edits.retypedTypes[*from] = *to;
    } else if (flag == "--rows") {
      edits.rows[name] = std::stoull(value);
    } else if (flag == "--set-u32") {
      edits.u32Keys[name] = static_cast<uint32_t>(std::stoul(value));
    } else if (flag == "--set-str") {
      edits.stringKeys[name] = value;
    } else {
      return fail("unknown flag " + flag);
    }
  }

  Expected<GgufFile> file = GgufFile::open(argv[1]);
  if (!file)
    return fail(file.error().message());
  GgufWriter writer(file->convention());
  for (const KeyValue &kv : file->metadata()) {
    std::string key(kv.key);
    if (edits.droppedKeys.count(key))
      continue;
    auto u32 = edits.u32Keys.find(key);
    if (edits.stringKeys.count(key))
      continue;
    writer.set(key, u32 != edits.u32Keys.end()
                        ? MetadataValue::ofU32(u32->second)
                        : MetadataValue::fromValue(kv.value));
  }
  for (const auto &[key, value] : edits.stringKeys)
    writer.set(key, MetadataValue::ofString(value));
  for (const TensorInfo &tensor : file->tensors()) {
    if (edits.droppedTensors.count(std::string(tensor.name)))
      continue;
    Status status = copyTensor(*file, tensor, edits, writer);
    if (!status.ok())
      return fail(status.error().message());
  }
  Status status = writer.write(argv[2]);
  return status.ok() ? 0 : fail(status.error().message());
}
