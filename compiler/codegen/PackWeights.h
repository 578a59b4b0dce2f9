//===- PackWeights.h - The weights a compiled model embeds ------*- C++ -*-===//
//
// The packed model file that `ternc compile` puts in the binary: a GGUF
// file with every metadata key of the source (tokenizer and
// hyper-parameters, read by the runtime) and each weight the module uses in
// the storage tern-select-weight-layout gave it. Its layout is planned (and
// recorded in the module) before any byte of it is produced.
//
//===----------------------------------------------------------------------===//

#ifndef TERNC_COMPILER_CODEGEN_PACKWEIGHTS_H
#define TERNC_COMPILER_CODEGEN_PACKWEIGHTS_H

#include "compiler/transforms/WeightPacking.h"
#include "runtime/gguf/GgufFile.h"
#include "runtime/gguf/GgufWriter.h"
#include "runtime/support/Error.h"

#include "mlir/IR/BuiltinOps.h"

#include <functional>

#include <string>

namespace ternc {

/// The packed model file of a module: the weights of every `tern.weight`
/// (after tern-select-weight-layout and tern-plan-weights), read from
/// `source`, in the packed forms compiler/transforms/WeightPacking.h
/// describes (ternary weights as I2_S: the bytes of I2_S sources are copied
/// as they are, other storages are repacked from their trits with the
/// type's scale; f16 tables as they are or in groups of interleaved rows;
/// f32 tables and norm vectors dequantized where the file stores them
/// otherwise; #tern.row_scaled matrices as reference::quantizeRows int8 rows
/// or reference::quantizeRowsQ4 rows packed as backends/common/Q4Layout.h
/// says, then their f32 row scales), after every metadata key of the source
/// (tokenizer and hyper-parameters, read by the runtime). Tensor data is
/// aligned to `alignment` bytes; `ternc.backend` names the backend (the
/// runtime names it when the CPU cannot run it) and
/// `ternc.ternary_activations` how the ternary matmuls quantize their
/// activations ("per_token", "q8_k" or both, comma-separated: --numerics).
///
/// Planning lays the file out without producing any bytes and checks that
/// every tensor lands at the offset tern-plan-weights recorded in the IR
/// (`tern.weight_offset`, `tern.row_scales_offset`: from the start of the
/// file's tensor data); writing then produces the bytes one tensor at a
/// time, dropping the source's pages of each tensor once it is packed.
/// `source` must outlive the plan.
class PackedWeights {
public:
  static Expected<PackedWeights> plan(mlir::ModuleOp module,
                                      const gguf::GgufFile &source,
                                      const std::string &backend,
                                      uint32_t alignment = static_cast<uint32_t>(
                                          mlir::tern::kDefaultWeightAlignment));

  /// Called as the bytes are produced with how many of the file's size()
  /// are done.
  using Progress = std::function<void(uint64_t done, uint64_t size)>;

  /// The size of the file in bytes.
  uint64_t size() const { return size_; }
  /// Writes the file to `path` (all or nothing).
  Status write(const std::string &path, const Progress &progress = {}) const;
  /// Produces the file's bytes, in order, through `sink`.
  Status serialize(const gguf::GgufWriter::Sink &sink,
                   const Progress &progress = {}) const;

private:
  gguf::GgufWriter writer_;
  uint64_t size_ = 0;
};

} // namespace ternc

#endif // TERNC_COMPILER_CODEGEN_PACKWEIGHTS_H
