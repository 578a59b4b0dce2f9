//===- SafetensorsCheckpointTest.cpp - Single files, shards, index checks -===//

#include "compiler/checkpoint/SafetensorsCheckpoint.h"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <unistd.h>

using namespace ternc;
using namespace ternc::checkpoint;

namespace {

namespace fs = std::filesystem;

/// A fresh directory under the test temporary directory.
class CheckpointDirectory {
public:
  CheckpointDirectory() {
    std::string pattern =
        (fs::temp_directory_path() / "ternc-checkpoint-XXXXXX").string();
    path_ = mkdtemp(pattern.data());
  }
  ~CheckpointDirectory() { fs::remove_all(path_); }
  const std::string &path() const { return path_; }

  /// Writes `text` to the file `name` in the directory.
  void write(const std::string &name, const std::string &text) const {
    std::ofstream(fs::path(path_) / name, std::ios::binary) << text;
  }
  /// Writes a safetensors file holding one U8 tensor [4] per name.
  void writeShard(const std::string &name,
                  const std::vector<std::string> &tensors) const {
    std::string header = "{";
    for (size_t i = 0; i < tensors.size(); ++i)
      header += (i ? "," : "") + std::string("\"") + tensors[i] +
                "\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[" +
                std::to_string(4 * i) + "," + std::to_string(4 * i + 4) + "]}";
    header += "}";
    std::string bytes(8, '\0');
    for (int i = 0; i < 8; ++i)
      bytes[i] = static_cast<char>(header.size() >> (8 * i));
    write(name, bytes + header + std::string(4 * tensors.size(), 'x'));
  }

private:
  std::string path_;
};

std::string errorOf(const std::string &path) {
  Expected<SafetensorsCheckpoint> checkpoint =
      SafetensorsCheckpoint::open(path);
  EXPECT_FALSE(checkpoint.ok());
  return checkpoint.ok() ? "" : checkpoint.error().message();
}

TEST(SafetensorsCheckpointTest, OneFileDirectlyOrInADirectory) {
  CheckpointDirectory dir;
  dir.writeShard("model.safetensors", {"a", "b"});
  for (const std::string &path :
       {dir.path(), dir.path() + "/model.safetensors"}) {
    Expected<SafetensorsCheckpoint> checkpoint =
        SafetensorsCheckpoint::open(path);
    ASSERT_TRUE(checkpoint.ok()) << checkpoint.error().message();
    EXPECT_EQ(checkpoint->files().size(), 1u);
    EXPECT_TRUE(checkpoint->indexPath().empty());
    EXPECT_EQ(checkpoint->tensors().size(), 2u);
    EXPECT_EQ(checkpoint->find("b").tensor->begin, 4u);
    EXPECT_EQ(checkpoint->find("c").tensor, nullptr);
  }
}

TEST(SafetensorsCheckpointTest, ShardsFollowTheIndex) {
  CheckpointDirectory dir;
  dir.writeShard("model-00001-of-00002.safetensors", {"a", "b"});
  dir.writeShard("model-00002-of-00002.safetensors", {"c"});
  dir.write("model.safetensors.index.json",
            R"({"metadata":{"total_size":12},"weight_map":{)"
            R"("a":"model-00001-of-00002.safetensors",)"
            R"("b":"model-00001-of-00002.safetensors",)"
            R"("c":"model-00002-of-00002.safetensors"}})");
  Expected<SafetensorsCheckpoint> checkpoint =
      SafetensorsCheckpoint::open(dir.path());
  ASSERT_TRUE(checkpoint.ok()) << checkpoint.error().message();
  EXPECT_EQ(checkpoint->files().size(), 2u);
  EXPECT_EQ(checkpoint->find("c").file->name(),
            dir.path() + "/model-00002-of-00002.safetensors");
}

TEST(SafetensorsCheckpointTest, IndexAndShardsMustAgree) {
  CheckpointDirectory dir;
  const std::string index = dir.path() + "/model.safetensors.index.json";
  EXPECT_EQ(errorOf(dir.path()),
            dir.path() + ": no model.safetensors.index.json or "
                         "model.safetensors in this checkpoint directory");
  dir.writeShard("s1.safetensors", {"a", "b"});
  dir.writeShard("s2.safetensors", {"b"});

  dir.write(
      "model.safetensors.index.json",
      R"({"weight_map":{"a":"s1.safetensors","x":"s1.safetensors","b":"s1.safetensors"}})");
  EXPECT_EQ(errorOf(dir.path()),
            index + ": weight_map puts 'x' in s1.safetensors, which has no "
                    "such tensor");
  dir.write("model.safetensors.index.json",
            R"({"weight_map":{"a":"s1.safetensors"}})");
  EXPECT_EQ(errorOf(dir.path()),
            dir.path() +
                "/s1.safetensors: tensor 'b' is missing from the "
                "weight_map of " +
                index);
  dir.write("model.safetensors.index.json",
            R"({"weight_map":{"a":"s1.safetensors","b":"s2.safetensors"}})");
  EXPECT_EQ(errorOf(dir.path()), "tensor 'b' is in both " + dir.path() +
                                     "/s1.safetensors and " + dir.path() +
                                     "/s2.safetensors");
  dir.write("model.safetensors.index.json",
            R"({"weight_map":{"a":"../s1.safetensors"}})");
  EXPECT_EQ(errorOf(dir.path()),
            index + ": weight_map: 'a': expected the file name of a shard in "
                    "the same directory, got \"../s1.safetensors\"");
  dir.write("model.safetensors.index.json", R"({"weight_map":[]})");
  EXPECT_EQ(errorOf(dir.path()),
            index + ": missing 'weight_map' (an object of tensor name -> "
                    "shard file)");
  dir.write("model.safetensors.index.json", R"({"weight_map":{}})");
  EXPECT_EQ(errorOf(dir.path()), index + ": weight_map lists no tensors");
  dir.write("model.safetensors.index.json", "{");
  EXPECT_EQ(errorOf(dir.path()), index + ": not a valid JSON object (UTF-8)");
  dir.write("model.safetensors.index.json",
            R"({"weight_map":{"a":"s3.safetensors"}})");
  EXPECT_NE(errorOf(dir.path()).find("s3.safetensors"), std::string::npos);
}

} // namespace
