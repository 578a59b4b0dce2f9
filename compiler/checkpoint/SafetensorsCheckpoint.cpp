//===- SafetensorsCheckpoint.cpp - A checkpoint's safetensors files -------===//
//
// The index is a JSON object read as JsonFile.h says (no exceptions).
//
//===----------------------------------------------------------------------===//

#include "compiler/checkpoint/SafetensorsCheckpoint.h"

#include "compiler/checkpoint/JsonFile.h"

#include <filesystem>
#include <set>

namespace ternc::checkpoint {

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

constexpr const char *kSingleFile = "model.safetensors";
constexpr const char *kIndexFile = "model.safetensors.index.json";
/// Index files larger than this are refused (a 2B index is ~30 kB).
constexpr size_t kMaxIndexBytes = 100'000'000;

/// Whether `name` is a plain file name: no directory part, nothing that
/// leads out of the checkpoint's directory.
bool isPlainFileName(const std::string &name) {
  return !name.empty() && name != "." && name != ".." &&
         name.find('/') == std::string::npos &&
         name.find('\0') == std::string::npos;
}

/// weight_map of the index at `path`: tensor name -> shard file name.
Expected<std::map<std::string, std::string>>
readWeightMap(const std::string &path) {
  Expected<json> document =
      readJsonObjectFile(path, kMaxIndexBytes, "an index");
  if (!document)
    return document.error();
  auto weightMap = document->find("weight_map");
  if (weightMap == document->end() || !weightMap->is_object())
    return makeError("{}: missing 'weight_map' (an object of tensor name -> "
                     "shard file)",
                     path);
  std::map<std::string, std::string> shards;
  for (const auto &[tensor, file] : weightMap->items()) {
    if (!file.is_string() ||
        !isPlainFileName(file.get_ref<const std::string &>()))
      return makeError("{}: weight_map: '{}': expected the file name of a "
                       "shard in the same directory, got {}",
                       path, tensor, file.dump());
    shards.emplace(tensor, file.get_ref<const std::string &>());
  }
  if (shards.empty())
    return makeError("{}: weight_map lists no tensors", path);
  return shards;
}

} // namespace

bool isCheckpointPath(const std::string &path) {
  const std::string_view suffix = ".safetensors";
  std::error_code error;
  return fs::is_directory(path, error) ||
         (path.size() >= suffix.size() &&
          path.compare(path.size() - suffix.size(), suffix.size(), suffix) ==
              0);
}

Expected<SafetensorsCheckpoint>
SafetensorsCheckpoint::open(const std::string &path) {
  SafetensorsCheckpoint checkpoint;
  checkpoint.name_ = path;
  // A checkpoint of one file.
  auto single =
      [&](const std::string &file) -> Expected<SafetensorsCheckpoint> {
    Expected<SafetensorsFile> opened = SafetensorsFile::open(file);
    if (!opened)
      return opened.error();
    checkpoint.files_.push_back(opened.take());
    TERNC_RETURN_IF_ERROR(checkpoint.indexTensors());
    return std::move(checkpoint);
  };
  std::error_code error;
  if (!fs::is_directory(path, error))
    return single(path);
  const fs::path directory(path);
  const std::string index = (directory / kIndexFile).string();
  if (!fs::exists(index, error)) {
    const std::string file = (directory / kSingleFile).string();
    if (!fs::exists(file, error))
      return makeError("{}: no {} or {} in this checkpoint directory", path,
                       kIndexFile, kSingleFile);
    return single(file);
  }

  checkpoint.indexPath_ = index;
  Expected<std::map<std::string, std::string>> weightMap = readWeightMap(index);
  if (!weightMap)
    return weightMap.error();
  std::set<std::string> shardNames;
  for (const auto &[tensor, shard] : *weightMap)
    shardNames.insert(shard);
  for (const std::string &shard : shardNames) {
    Expected<SafetensorsFile> file =
        SafetensorsFile::open((directory / shard).string());
    if (!file)
      return file.error();
    checkpoint.files_.push_back(file.take());
  }
  TERNC_RETURN_IF_ERROR(checkpoint.indexTensors());
  // The index and the shards must agree tensor by tensor.
  for (const auto &[tensor, shard] : *weightMap) {
    Entry entry = checkpoint.find(tensor);
    const std::string expected = (directory / shard).string();
    if (!entry.file)
      return makeError("{}: weight_map puts '{}' in {}, which has no such "
                       "tensor",
                       index, tensor, shard);
    if (entry.file->name() != expected)
      return makeError("{}: weight_map puts '{}' in {}, but it is in {}", index,
                       tensor, shard, entry.file->name());
  }
  for (const auto &[tensor, entry] : checkpoint.tensors_)
    if (!weightMap->count(tensor))
      return makeError("{}: tensor '{}' is missing from the weight_map of {}",
                       entry.file->name(), tensor, index);
  return checkpoint;
}

Status SafetensorsCheckpoint::indexTensors() {
  for (const SafetensorsFile &file : files_)
    for (const SafetensorsTensor &tensor : file.tensors()) {
      auto [it, inserted] =
          tensors_.emplace(tensor.name, Entry{&file, &tensor});
      if (!inserted)
        return makeError("tensor '{}' is in both {} and {}", tensor.name,
                         it->second.file->name(), file.name());
    }
  return Status::success();
}

SafetensorsCheckpoint::Entry
SafetensorsCheckpoint::find(std::string_view name) const {
  auto it = tensors_.find(name);
  return it == tensors_.end() ? Entry{} : it->second;
}

} // namespace ternc::checkpoint
