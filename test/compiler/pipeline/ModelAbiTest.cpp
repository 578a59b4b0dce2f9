//===- ModelAbiTest.cpp - The lowering's runtime calls match ModelAbi.h ---===//
//
// tern-lower-to-kernels declares each tern_exec_* entry from the operands of
// its first call; the runtime defines them from runtime/model/ModelAbi.h.
// Nothing in the build ties the two, so this test does: it compiles models
// that between them reach every entry the fused pipeline emits, lowers
// hand-written IR with the unfused ops the fusions always replace, and checks
// each declaration against the parameter types of the C prototype, read with
// decltype from the header itself (a parameter added, removed or retyped on
// one side fails here), and that every entry is reached.
//
//===----------------------------------------------------------------------===//

#include "compiler/pipeline/Pipeline.h"
#include "compiler/transforms/Passes.h"
#include "dialects/Tern/IR/TernDialect.h"
#include "runtime/model/ModelAbi.h"

#include "test/utils/SyntheticModelFile.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <type_traits>

using namespace ternc;

namespace {

template <typename T> constexpr bool kUnmapped = false;

/// The MLIR type the lowering passes for a C parameter of type T.
template <typename T> std::string mlirTypeOf() {
  if constexpr (std::is_pointer_v<T>)
    return "!llvm.ptr";
  else if constexpr (std::is_same_v<T, int64_t>)
    return "i64";
  else if constexpr (std::is_same_v<T, float>)
    return "f32";
  else
    static_assert(kUnmapped<T>, "no MLIR type for this ABI parameter type");
}

/// The declaration the lowering must print for a runtime entry of type
/// void(Args...) called `name` (entries return nothing).
template <typename... Args>
std::string declarationOf(const char *name, void (*)(Args...)) {
  std::vector<std::string> types = {mlirTypeOf<Args>()...};
  return fmt::format("func.func private @{}({})", name,
                     fmt::join(types, ", "));
}

#define TERN_EXEC_ENTRY(name)                                                  \
  {#name, declarationOf(#name, static_cast<decltype(&name)>(nullptr))}

/// Every tern_exec_* entry of ModelAbi.h, as the lowering must declare it.
const std::map<std::string, std::string> kEntries = {
    TERN_EXEC_ENTRY(tern_exec_quantize_rows_i8),
    TERN_EXEC_ENTRY(tern_exec_rms_norm_quantize_i8),
    TERN_EXEC_ENTRY(tern_exec_rms_norm_f32),
    TERN_EXEC_ENTRY(tern_exec_bitlinear_i2s),
    TERN_EXEC_ENTRY(tern_exec_quantize_rows_q8k),
    TERN_EXEC_ENTRY(tern_exec_rms_norm_quantize_q8k),
    TERN_EXEC_ENTRY(tern_exec_bitlinear_i2s_q8k),
    TERN_EXEC_ENTRY(tern_exec_linear_f16),
    TERN_EXEC_ENTRY(tern_exec_linear_f32),
    TERN_EXEC_ENTRY(tern_exec_linear_i8),
    TERN_EXEC_ENTRY(tern_exec_linear_q4),
    TERN_EXEC_ENTRY(tern_exec_embed_f16),
    TERN_EXEC_ENTRY(tern_exec_embed_f32),
    TERN_EXEC_ENTRY(tern_exec_embed_i8),
    TERN_EXEC_ENTRY(tern_exec_embed_q4),
    TERN_EXEC_ENTRY(tern_exec_rope_neox_f32),
    TERN_EXEC_ENTRY(tern_exec_rope_norm_f32),
    TERN_EXEC_ENTRY(tern_exec_attention),
    TERN_EXEC_ENTRY(tern_exec_add_f32),
    TERN_EXEC_ENTRY(tern_exec_mul_f32),
    TERN_EXEC_ENTRY(tern_exec_relu2_f32),
    TERN_EXEC_ENTRY(tern_exec_silu_f32),
    TERN_EXEC_ENTRY(tern_exec_relu2_mul_f32),
    TERN_EXEC_ENTRY(tern_exec_silu_mul_f32),
};

/// The kernel stage of a model made with `modelOptions`, compiled with
/// `lmHead` and `numerics`, as text.
std::string kernelStage(const model::SyntheticModelOptions &modelOptions,
                        LmHeadFormat lmHead, Numerics numerics) {
  test::SyntheticModelFile model(modelOptions);
  EXPECT_TRUE(model.file());
  llvm::SmallString<128> path;
  EXPECT_FALSE(
      llvm::sys::fs::createTemporaryFile("model-abi-test", "mlir", path));
  CompileOptions options;
  options.inputPath = model.path();
  options.outputPath = path.str().str();
  options.emit = EmitStage::Kernel;
  options.target = findTarget("generic");
  options.model.lmHead = lmHead;
  options.model.import.numerics = numerics;
  Status status = compileModel(options);
  EXPECT_TRUE(status.ok()) << status.error().message();
  auto buffer = llvm::MemoryBuffer::getFile(path);
  llvm::sys::fs::remove(path);
  return buffer ? (*buffer)->getBuffer().str() : std::string();
}

/// A planned module whose @decode runs the unfused activations and product.
constexpr const char *kUnfusedModule = R"mlir(
!cache = !tern.kv_cache<layers 1, capacity 16, kv_heads 1, head_dim 128, f16>
module {
  func.func @decode(%tokens: tensor<1xi32>, %pos: index, %cache: !cache) -> tensor<1x128xf32> attributes {tern.arena_size = 2048 : i64} {
    %table = tern.weight "token_embd.weight" {tern.weight_offset = 0 : i64} : tensor<8x128xf16>
    %x = tern.embed %table, %tokens {tern.arena_offsets = array<i64: 0>} : (tensor<8x128xf16>, tensor<1xi32>) -> tensor<1x128xf32>
    %r = tern.relu2 %x {tern.arena_offsets = array<i64: 512>} : tensor<1x128xf32>
    %s = tern.silu %x {tern.arena_offsets = array<i64: 1024>} : tensor<1x128xf32>
    %m = tern.mul %r, %s {tern.arena_offsets = array<i64: 1536>} : (tensor<1x128xf32>, tensor<1x128xf32>) -> tensor<1x128xf32>
    return %m : tensor<1x128xf32>
  }
  func.func @prefill(%tokens: tensor<2xi32>, %pos: index, %cache: !cache) -> tensor<2x128xf32> attributes {tern.arena_size = 1024 : i64} {
    %table = tern.weight "token_embd.weight" {tern.weight_offset = 0 : i64} : tensor<8x128xf16>
    %x = tern.embed %table, %tokens {tern.arena_offsets = array<i64: 0>} : (tensor<8x128xf16>, tensor<2xi32>) -> tensor<2x128xf32>
    return %x : tensor<2x128xf32>
  }
}
)mlir";

/// kUnfusedModule after the kernel lowering, as text.
std::string unfusedKernelStage() {
  mlir::MLIRContext context;
  context.loadDialect<mlir::tern::TernDialect, mlir::func::FuncDialect,
                      mlir::arith::ArithDialect, mlir::LLVM::LLVMDialect>();
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceString<mlir::ModuleOp>(kUnfusedModule, &context);
  EXPECT_TRUE(module);
  if (!module)
    return {};
  mlir::PassManager pm(&context);
  mlir::tern::buildKernelLoweringPipeline(pm, "ternGenericKernels");
  EXPECT_TRUE(mlir::succeeded(pm.run(*module)));
  std::string text;
  llvm::raw_string_ostream os(text);
  module->print(os);
  return text;
}

TEST(ModelAbiTest, LoweredDeclarationsMatchThePrototypes) {
  struct Case {
    const char *architecture;
    gguf::TensorType embedding;
    LmHeadFormat lmHead;
    gguf::TensorType weights = gguf::TensorType::I2_S;
    Numerics numerics = Numerics::BitNet;
  };
  // llama.cpp numerics on TQ weights use the Q8_K entries; the llama
  // architecture has an unfused matmul (attn_output reads the attention).
  const Case cases[] = {
      {"bitnet-b1.58", gguf::TensorType::F16, LmHeadFormat::Stored},
      {"bitnet-b1.58", gguf::TensorType::F32, LmHeadFormat::Int8},
      {"bitnet-b1.58", gguf::TensorType::F16, LmHeadFormat::Q4},
      {"llama", gguf::TensorType::F16, LmHeadFormat::Stored},
      {"bitnet", gguf::TensorType::F32, LmHeadFormat::Stored},
      {"llama", gguf::TensorType::F16, LmHeadFormat::Stored,
       gguf::TensorType::TQ2_0, Numerics::LlamaCpp},
  };
  const std::string prefix = "func.func private @tern_exec_";
  std::set<std::string> emitted;
  auto check = [&](const std::string &text, const char *what) {
    for (size_t at = text.find(prefix); at != std::string::npos;
         at = text.find(prefix, at + 1)) {
      const std::string line = text.substr(at, text.find('\n', at) - at);
      const size_t nameStart = line.find('@') + 1;
      const std::string name =
          line.substr(nameStart, line.find('(') - nameStart);
      auto entry = kEntries.find(name);
      if (entry == kEntries.end()) {
        ADD_FAILURE() << name << " is emitted but not declared in ModelAbi.h";
        continue;
      }
      EXPECT_EQ(line, entry->second) << what;
      emitted.insert(name);
    }
  };
  for (const Case &c : cases) {
    model::SyntheticModelOptions modelOptions;
    modelOptions.architecture = c.architecture;
    modelOptions.embeddingType = c.embedding;
    modelOptions.weightType = c.weights;
    check(kernelStage(modelOptions, c.lmHead, c.numerics), c.architecture);
  }
  check(unfusedKernelStage(), "unfused IR");
  for (const auto &[name, declaration] : kEntries)
    EXPECT_TRUE(emitted.count(name)) << name << " was never emitted";
}

} // namespace
