//===- OutputFileTest.cpp - Tests of all-or-nothing file output -----------===//

#include "runtime/support/OutputFile.h"

#include <cstdio>
#include <unistd.h>
#include <filesystem>
#include <gtest/gtest.h>

using namespace ternc;
namespace fs = std::filesystem;

namespace {

fs::path scratchPath(const char *name) {
  return fs::temp_directory_path() /
         (std::string(name) + "-" + std::to_string(::getpid()));
}

TEST(OutputFileTest, CommitCreatesTheFile) {
  fs::path path = scratchPath("ternc-output-commit");
  {
    auto file = OutputFile::create(path.string());
    ASSERT_TRUE(file.ok()) << file.error().message();
    ASSERT_TRUE((*file)->write("abc", 3).ok());
    ASSERT_TRUE((*file)->writeZeros(5).ok());
    EXPECT_EQ((*file)->position(), 8u);
    EXPECT_FALSE(fs::exists(path)); // Not visible before commit.
    ASSERT_TRUE((*file)->commit().ok());
  }
  EXPECT_EQ(fs::file_size(path), 8u);
  fs::remove(path);
}

TEST(OutputFileTest, AbandonedWriteLeavesNothing) {
  fs::path path = scratchPath("ternc-output-abandon");
  {
    auto file = OutputFile::create(path.string());
    ASSERT_TRUE(file.ok());
    ASSERT_TRUE((*file)->write("abc", 3).ok());
  }
  EXPECT_FALSE(fs::exists(path));
  for (const auto &entry : fs::directory_iterator(path.parent_path()))
    EXPECT_EQ(entry.path().string().find(path.filename().string() + ".tmp"),
              std::string::npos);
}

TEST(OutputFileTest, UnwritableDirectoryIsAnError) {
  auto file = OutputFile::create("/nonexistent-dir/out.gguf");
  ASSERT_FALSE(file.ok());
  EXPECT_NE(file.error().message().find("/nonexistent-dir/out.gguf"),
            std::string::npos);
}

} // namespace
