//===- TestModel.h - A compiled model written by hand, for tests -*- C++ -*-===//
//
// What `ternc compile` will produce, written in C++: a tiny synthetic BitNet
// b1.58 model (ternc mkmodel --preset tiny: 2 layers, 512 features, 4/2
// heads of 128, a 1024-token vocabulary) as the embedded packed file, and
// decode/prefill functions that run it through the tern_exec_* entries on
// the generic backend: embedding, RMSNorm+quantize, ternary matmuls, RoPE
// (out of place for queries, in place for keys), attention over the
// runtime's KV cache, ReLU^2 gate, residual adds and the tied f16 LM head.
//
//===----------------------------------------------------------------------===//

#ifndef TERNC_TEST_RUNTIME_MODEL_TESTMODEL_H
#define TERNC_TEST_RUNTIME_MODEL_TESTMODEL_H

#include "runtime/model/AnonymousMemory.h"
#include "runtime/model/CompiledModel.h"

#include <cstdint>
#include <memory>
#include <vector>

namespace ternc::test {

/// The compile-time choices of the hand-written model.
struct TestModelOptions {
  int64_t prefillChunk = 4;
  int64_t contextLength = 64;
  bool f16Cache = true;
};

/// One hand-compiled model. Its decode and prefill functions read the
/// layout of the TestModel whose definition() was taken last (compiled code
/// has its offsets built in; tests run one model at a time).
class TestModel {
public:
  explicit TestModel(const TestModelOptions &options = {});
  ~TestModel();

  /// The definition of this model (and makes it the one the functions run).
  ModelDefinition definition() const;
  /// The description, which tests may spoil before taking definition().
  TernModelInfo &info() { return info_; }
  const TernModelInfo &info() const { return info_; }
  /// Whether construction succeeded (failures are reported as test
  /// failures).
  bool ok() const { return ok_; }

  struct Layout;

private:
  TestModelOptions options_;
  TernModelInfo info_{};
  AnonymousMemory bytes_;
  std::unique_ptr<Layout> layout_;
  bool ok_ = false;
};

} // namespace ternc::test

#endif // TERNC_TEST_RUNTIME_MODEL_TESTMODEL_H
