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

#include "runtime/gguf/GgufFile.h"
#include "runtime/gguf/GgufWriter.h"
#include "runtime/support/Error.h"

#include "mlir/IR/BuiltinOps.h"

#include <functional>

#include <string>

namespace ternc {

/// The packed model file of a module: the weights of every `tern.weight`
/// (after tern-select-weight-layout), read from `source`: ternary weights as
/// I2_S (the bytes of I2_S sources are copied as they are, other storages
/// are repacked from their trits with the type's scale), f16 tables as they
/// are (or in groups of rows interleaved, where the op has
/// `tern.row_interleave`), f32 tables and norm vectors as f32 (dequantized
/// when the file stores them otherwise), #tern.row_scaled matrices as their
/// reference::quantizeRows int8 rows (an I8 tensor of the same name; for
/// 4-bit ones reference::quantizeRowsQ4's rows packed as
/// backends/common/Q4Layout.h says, q4RowBytes(in) bytes a row) and row
/// scales (F32, NAME.row_scales), after every metadata key of the source
/// (tokenizer and hyper-parameters, read by the runtime). Tensor data is
/// aligned to `alignment` bytes; `ternc.backend` names the backend (the
/// runtime names it when the CPU cannot run it).
///
/// Planning lays the file out and sets `tern.weight_offset` on each weight
/// op (the byte offset of its data from the start of the file; and
/// `tern.row_scales_offset`, that of the row scales) without producing any
/// bytes; writing then produces them one tensor at a time, dropping the
/// source's pages of each tensor once it is packed. `source` must outlive
/// the plan.
class PackedWeights {
public:
  static Expected<PackedWeights> plan(mlir::ModuleOp module,
                                      const gguf::GgufFile &source,
                                      const std::string &backend,
                                      uint32_t alignment = 64);

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
