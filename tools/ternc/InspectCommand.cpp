//===- InspectCommand.cpp - `ternc inspect`: what a model file holds ------===//
//
// Prints a GGUF model's metadata (long arrays summarised), its tensor table
// (name, type, shape, bytes, offset) and totals (parameters, bytes and bits
// per weight by type), as text or as JSON; for a Hugging Face checkpoint (a
// directory, or a .safetensors file) its files, `__metadata__`, tensors and
// totals by dtype.
//
//===----------------------------------------------------------------------===//

#include "tools/ternc/Commands.h"
#include "tools/ternc/Diagnostics.h"

#include "compiler/checkpoint/SafetensorsCheckpoint.h"
#include "runtime/gguf/GgufFile.h"

#include <fmt/format.h>
#include <map>
#include <nlohmann/json.hpp>

using namespace ternc;
using namespace ternc::gguf;
namespace cl = llvm::cl;

namespace ternc::tool {
cl::SubCommand &inspectCommand() {
  static cl::SubCommand command("inspect",
                              "Show a model's metadata, tensors and totals "
                              "(GGUF, or a Hugging Face safetensors "
                              "checkpoint)");
  return command;
}
} // namespace ternc::tool

namespace {

cl::opt<std::string> inputPath(cl::Positional,
                               cl::desc("<model.gguf | checkpoint directory | "
                                        "model.safetensors>"),
                               cl::Required, cl::sub(tool::inspectCommand()),
                               cl::cat(tool::terncCategory()));
cl::opt<bool> jsonOutput("json", cl::desc("Print JSON instead of text"),
                         cl::sub(tool::inspectCommand()),
                         cl::cat(tool::terncCategory()));

/// Arrays longer than this are summarised by their first elements.
constexpr uint64_t kArrayHeadText = 5;
constexpr uint64_t kArrayHeadJson = 8;

/// A string quoted with C-style escapes for control characters.
std::string quoted(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    unsigned char u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\')
      out += {'\\', c};
    else if (c == '\n')
      out += "\\n";
    else if (u < 0x20 || u == 0x7f)
      out += fmt::format("\\x{:02x}", u);
    else
      out += c;
  }
  return out + "\"";
}

/// A scalar or string value as text.
std::string scalarText(const Value &value) {
  switch (value.type()) {
  case ValueType::String:
    return quoted(*value.asString());
  case ValueType::Bool:
    return *value.asBool() ? "true" : "false";
  case ValueType::Float32:
    return fmt::format("{}", static_cast<float>(*value.asDouble()));
  case ValueType::Float64:
    return fmt::format("{}", *value.asDouble());
  default:
    if (std::optional<int64_t> s = value.asSigned())
      return std::to_string(*s);
    return std::to_string(*value.asUnsigned());
  }
}

nlohmann::json scalarJson(const Value &value) {
  switch (value.type()) {
  case ValueType::String:
    return std::string(*value.asString());
  case ValueType::Bool:
    return *value.asBool();
  case ValueType::Float32:
  case ValueType::Float64:
    return *value.asDouble();
  default:
    if (std::optional<int64_t> s = value.asSigned())
      return *s;
    return *value.asUnsigned();
  }
}

/// Bytes as "1.18 GB" (decimal units, as bench/README.md's figures).
std::string humanBytes(uint64_t bytes) {
  const char *units[] = {"B", "kB", "MB", "GB", "TB"};
  double value = static_cast<double>(bytes);
  int unit = 0;
  while (value >= 1000 && unit < 4) {
    value /= 1000;
    ++unit;
  }
  return unit == 0 ? fmt::format("{} B", bytes)
                   : fmt::format("{:.2f} {}", value, units[unit]);
}

/// Parameter and byte counts of the tensors of one type.
struct TypeTotals {
  uint64_t tensors = 0, elements = 0, bytes = 0;
  double bitsPerWeight() const {
    return elements ? 8.0 * static_cast<double>(bytes) / elements : 0.0;
  }
};

std::map<std::string_view, TypeTotals> totalsByType(const GgufFile &file) {
  std::map<std::string_view, TypeTotals> totals;
  for (const TensorInfo &tensor : file.tensors()) {
    TypeTotals &t = totals[typeName(tensor.type)];
    ++t.tensors;
    t.elements += tensor.elements;
    t.bytes += tensor.byteSize;
  }
  return totals;
}

std::string_view conventionName(TypeIdConvention convention) {
  return convention == TypeIdConvention::BitnetCpp ? "bitnet.cpp"
                                                   : "upstream ggml";
}

void printText(const GgufFile &file) {
  fmt::print("{}: GGUF v{}, {} ({} bytes), alignment {}, data at offset {}\n",
             file.name(), file.version(), humanBytes(file.fileSize()),
             file.fileSize(), file.alignment(), file.dataOffset());
  fmt::print("tensor type ids: {}\n\n", conventionName(file.convention()));

  fmt::print("metadata ({} keys):\n", file.metadata().size());
  for (const KeyValue &kv : file.metadata()) {
    const Value &value = kv.value;
    if (value.type() != ValueType::Array) {
      fmt::print("  {:<44} {:<7} {}\n", kv.key, valueTypeName(value.type()),
                 scalarText(value));
      continue;
    }
    std::string items;
    uint64_t shown = std::min(value.arraySize(), kArrayHeadText);
    for (uint64_t i = 0; i < shown; ++i)
      items += (i ? ", " : "") + scalarText(value.element(i));
    if (shown < value.arraySize())
      items += ", ...";
    fmt::print("  {:<44} {:<7} [{} x {}] {}\n", kv.key, "array",
               valueTypeName(value.elementType()), value.arraySize(), items);
  }

  fmt::print("\ntensors ({}):\n", file.tensors().size());
  fmt::print("  {:<36} {:<6} {:<18} {:>12} {:>12}\n", "name", "type",
             "shape", "bytes", "offset");
  for (const TensorInfo &tensor : file.tensors())
    fmt::print("  {:<36} {:<6} {:<18} {:>12} {:>12}\n", tensor.name,
               typeName(tensor.type), tensor.shapeString(), tensor.byteSize,
               tensor.offset);

  TypeTotals all;
  fmt::print("\ntotals by type:\n");
  fmt::print("  {:<6} {:>8} {:>14} {:>14} {:>10}\n", "type", "tensors",
             "parameters", "bytes", "bits/wt");
  for (const auto &[name, t] : totalsByType(file)) {
    fmt::print("  {:<6} {:>8} {:>14} {:>14} {:>10.4f}\n", name, t.tensors,
               t.elements, t.bytes, t.bitsPerWeight());
    all.tensors += t.tensors;
    all.elements += t.elements;
    all.bytes += t.bytes;
  }
  fmt::print("  {:<6} {:>8} {:>14} {:>14} {:>10.4f}\n", "all", all.tensors,
             all.elements, all.bytes, all.bitsPerWeight());
}

void printJson(const GgufFile &file) {
  using nlohmann::json;
  json root;
  root["file"] = file.name();
  root["version"] = file.version();
  root["file_size"] = file.fileSize();
  root["alignment"] = file.alignment();
  root["data_offset"] = file.dataOffset();
  root["type_ids"] = conventionName(file.convention());
  json metadata = json::array();
  for (const KeyValue &kv : file.metadata()) {
    const Value &value = kv.value;
    json entry = {{"key", kv.key}, {"type", valueTypeName(value.type())}};
    if (value.type() == ValueType::Array) {
      entry["element_type"] = valueTypeName(value.elementType());
      entry["count"] = value.arraySize();
      json items = json::array();
      uint64_t shown = std::min(value.arraySize(), kArrayHeadJson);
      for (uint64_t i = 0; i < shown; ++i)
        items.push_back(scalarJson(value.element(i)));
      entry[shown < value.arraySize() ? "head" : "value"] = items;
    } else {
      entry["value"] = scalarJson(value);
    }
    metadata.push_back(entry);
  }
  root["metadata"] = metadata;
  json tensors = json::array();
  for (const TensorInfo &tensor : file.tensors())
    tensors.push_back(
        {{"name", tensor.name},
         {"type", typeName(tensor.type)},
         {"type_id", tensor.typeId},
         {"shape", std::vector<uint64_t>(tensor.ne.begin(),
                                         tensor.ne.begin() + tensor.nDims)},
         {"elements", tensor.elements},
         {"bytes", tensor.byteSize},
         {"offset", tensor.offset}});
  root["tensors"] = tensors;
  json byType = json::object();
  uint64_t elements = 0, bytes = 0;
  for (const auto &[name, t] : totalsByType(file)) {
    byType[std::string(name)] = {{"tensors", t.tensors},
                                 {"parameters", t.elements},
                                 {"bytes", t.bytes},
                                 {"bits_per_weight", t.bitsPerWeight()}};
    elements += t.elements;
    bytes += t.bytes;
  }
  root["totals"] = {{"parameters", elements},
                    {"bytes", bytes},
                    {"by_type", byType}};
  // Token strings need not be valid UTF-8: replace bad bytes, never abort.
  fmt::print("{}\n",
             root.dump(2, ' ', false, json::error_handler_t::replace));
}

using checkpoint::SafetensorsCheckpoint;
using checkpoint::SafetensorsFile;
using checkpoint::SafetensorsTensor;

/// The file name of `path` (what follows its last '/').
std::string_view baseName(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

/// Element and byte counts of a checkpoint's tensors by dtype.
std::map<std::string_view, TypeTotals>
totalsByDtype(const SafetensorsCheckpoint &model) {
  std::map<std::string_view, TypeTotals> totals;
  for (const auto &[name, entry] : model.tensors()) {
    TypeTotals &t = totals[checkpoint::dtypeName(entry.tensor->dtype)];
    ++t.tensors;
    t.elements += entry.tensor->elements;
    t.bytes += entry.tensor->end - entry.tensor->begin;
  }
  return totals;
}

void printCheckpointText(const SafetensorsCheckpoint &model) {
  fmt::print("{}: safetensors checkpoint, {} file{}{}, {} tensors\n",
             model.name(), model.files().size(),
             model.files().size() == 1 ? "" : "s",
             model.indexPath().empty()
                 ? ""
                 : fmt::format(" (index {})", baseName(model.indexPath())),
             model.tensors().size());
  for (const SafetensorsFile &file : model.files()) {
    fmt::print("  {}: {} ({} bytes), data at offset {}\n",
               baseName(file.name()), humanBytes(file.fileSize()),
               file.fileSize(), file.dataOffset());
    for (const auto &[key, value] : file.metadata())
      fmt::print("    __metadata__ {} = {}\n", key,
                 quoted(std::string_view(value)));
  }
  fmt::print("\ntensors ({}):\n", model.tensors().size());
  fmt::print("  {:<48} {:<7} {:<14} {:>12} {:>12}  {}\n", "name", "dtype",
             "shape", "bytes", "offset", "file");
  for (const auto &[name, entry] : model.tensors())
    fmt::print("  {:<48} {:<7} {:<14} {:>12} {:>12}  {}\n", name,
               checkpoint::dtypeName(entry.tensor->dtype),
               entry.tensor->shapeString(),
               entry.tensor->end - entry.tensor->begin, entry.tensor->begin,
               baseName(entry.file->name()));
  fmt::print("\ntotals by dtype:\n");
  fmt::print("  {:<7} {:>8} {:>14} {:>14}\n", "dtype", "tensors", "elements",
             "bytes");
  for (const auto &[dtype, t] : totalsByDtype(model))
    fmt::print("  {:<7} {:>8} {:>14} {:>14}\n", dtype, t.tensors, t.elements,
               t.bytes);
}

void printCheckpointJson(const SafetensorsCheckpoint &model) {
  using nlohmann::json;
  json root;
  root["checkpoint"] = model.name();
  if (!model.indexPath().empty())
    root["index"] = model.indexPath();
  json files = json::array();
  for (const SafetensorsFile &file : model.files()) {
    json metadata = json::object();
    for (const auto &[key, value] : file.metadata())
      metadata[key] = value;
    files.push_back({{"file", file.name()},
                     {"file_size", file.fileSize()},
                     {"data_offset", file.dataOffset()},
                     {"metadata", metadata}});
  }
  root["files"] = files;
  json tensors = json::array();
  for (const auto &[name, entry] : model.tensors())
    tensors.push_back({{"name", name},
                       {"dtype", checkpoint::dtypeName(entry.tensor->dtype)},
                       {"shape", entry.tensor->shape},
                       {"elements", entry.tensor->elements},
                       {"bytes", entry.tensor->end - entry.tensor->begin},
                       {"offset", entry.tensor->begin},
                       {"file", entry.file->name()}});
  root["tensors"] = tensors;
  json byDtype = json::object();
  for (const auto &[dtype, t] : totalsByDtype(model))
    byDtype[std::string(dtype)] = {{"tensors", t.tensors},
                                   {"elements", t.elements},
                                   {"bytes", t.bytes}};
  root["totals"] = {{"by_dtype", byDtype}};
  fmt::print("{}\n",
             root.dump(2, ' ', false, json::error_handler_t::replace));
}

} // namespace

int ternc::tool::runInspect() {
  if (checkpoint::isCheckpointPath(inputPath)) {
    Expected<SafetensorsCheckpoint> model =
        SafetensorsCheckpoint::open(inputPath);
    if (!model)
      return reportError(model.error());
    if (jsonOutput)
      printCheckpointJson(*model);
    else
      printCheckpointText(*model);
    return 0;
  }
  Expected<GgufFile> file = GgufFile::open(inputPath);
  if (!file)
    return reportError(file.error());
  if (jsonOutput)
    printJson(*file);
  else
    printText(*file);
  return 0;
}
