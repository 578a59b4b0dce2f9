//===- PipelineTest.cpp - A compilation driven by options alone -----------===//
//
// compileModel is what ternc compile runs; these tests drive it as an
// embedder would, with no command line: each stage it writes, the model
// options reaching the IR, the progress hooks, and the errors of options
// that cannot work.
//
//===----------------------------------------------------------------------===//

#include "compiler/pipeline/Pipeline.h"

#include "test/utils/SyntheticModelFile.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"

#include <gtest/gtest.h>

using namespace ternc;

namespace {

/// A temporary file path, removed on destruction.
class TemporaryPath {
public:
  explicit TemporaryPath(const char *suffix) {
    llvm::SmallString<128> path;
    EXPECT_FALSE(llvm::sys::fs::createTemporaryFile("pipeline-test", suffix,
                                                    path));
    path_ = path.str().str();
  }
  ~TemporaryPath() { llvm::sys::fs::remove(path_); }
  const std::string &path() const { return path_; }
  std::string read() const {
    auto buffer = llvm::MemoryBuffer::getFile(path_);
    return buffer ? (*buffer)->getBuffer().str() : std::string();
  }

private:
  std::string path_;
};

class PipelineTest : public ::testing::Test {
protected:
  void SetUp() override { ASSERT_TRUE(model_.file()); }

  /// Options that write `stage` of the tiny model to `output`.
  CompileOptions options(EmitStage stage, const std::string &output) const {
    CompileOptions options;
    options.inputPath = model_.path();
    options.outputPath = output;
    options.emit = stage;
    options.target = findTarget("generic");
    return options;
  }

  test::SyntheticModelFile model_{model::SyntheticModelOptions()};
};

TEST_F(PipelineTest, WritesTheFusedStageAndReportsItsSteps) {
  TemporaryPath output(".mlir");
  CompileOptions fused = options(EmitStage::TernFused, output.path());
  std::vector<std::string> steps;
  fused.progress.step = [&](const std::string &step) {
    steps.push_back(step);
  };
  Status status = compileModel(fused);
  ASSERT_TRUE(status.ok()) << status.error().message();
  const std::string text = output.read();
  EXPECT_NE(text.find("tern.rms_norm_bitlinear"), std::string::npos);
  EXPECT_NE(text.find("tern.relu2_mul"), std::string::npos);
  EXPECT_EQ(steps, std::vector<std::string>{"importing"});
}

TEST_F(PipelineTest, ModelOptionsReachTheIR) {
  TemporaryPath output(".mlir");
  CompileOptions q4Head = options(EmitStage::TernFused, output.path());
  q4Head.model.lmHead = LmHeadFormat::Q4;
  q4Head.model.import.prefillChunk = 16;
  Status status = compileModel(q4Head);
  ASSERT_TRUE(status.ok()) << status.error().message();
  const std::string text = output.read();
  EXPECT_NE(text.find("xi4, #tern.row_scaled>"), std::string::npos);
  EXPECT_NE(text.find("@prefill(%arg0: tensor<16xi32>"), std::string::npos);
}

TEST_F(PipelineTest, PlansTheKernelStageForTheTarget) {
  TemporaryPath output(".mlir");
  Status status = compileModel(options(EmitStage::Kernel, output.path()));
  ASSERT_TRUE(status.ok()) << status.error().message();
  const std::string text = output.read();
  EXPECT_NE(text.find("call @ternGenericKernels()"), std::string::npos);
  EXPECT_NE(text.find("func.func @tern_model_decode"), std::string::npos);
}

TEST_F(PipelineTest, RefusesOptionsThatCannotWork) {
  CompileOptions noTarget = options(EmitStage::TernFused, "-");
  noTarget.target = nullptr;
  Status status = compileModel(noTarget);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().message(), "compile: no backend target given");

  status = compileModel(options(EmitStage::Executable, "-"));
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().message(),
            "compile: a binary stage needs an output file");

  CompileOptions missing = options(EmitStage::TernFused, "-");
  missing.inputPath = "/nonexistent/model.gguf";
  status = compileModel(missing);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().message().find("/nonexistent/model.gguf"),
            std::string::npos)
      << status.error().message();
}

} // namespace
