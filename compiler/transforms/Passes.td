//===- Passes.td - ternc's passes on tern IR ---------------*- tablegen -*-===//

#ifndef TERNC_COMPILER_TRANSFORMS_PASSES_TD
#define TERNC_COMPILER_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

//===----------------------------------------------------------------------===//
// Compile-time quantization
//===----------------------------------------------------------------------===//

def TernQuantizeLmHead : Pass<"tern-quantize-lm-head", "::mlir::ModuleOp"> {
  let summary = "Store the LM head as int8 or 4-bit rows, an f32 scale a row";
  let description = [{
    Gives the weight of every `tern.linear` (the LM head of BitNet models)
    the type `tensor<out x in x i8, #tern.row_scaled>`, in every function:
    the matmul then quantizes its activations per token to int8 (as
    `tern.bitlinear` does) and sums int8 products exactly. An embedding
    that reads the same tensor (tied embeddings, as in BitNet b1.58 2B4T)
    reads the int8 rows too, so the model holds one copy. The packer and the
    interpreter quantize the tensor's values with reference::quantizeRows
    (symmetric absmax per row). For an f16 LM head this halves the bytes
    each decoded token streams through it; the accuracy cost is measured by
    bench/lm-head-accuracy.sh. Opt-in: `--lm-head=int8`.

    With `format=q4` the type is `tensor<out x in x i4, #tern.row_scaled>`:
    4-bit values in groups of 32 columns with an 8-bit sub-scale each
    (reference::quantizeRowsQ4), 0.53 bytes a weight, the dot products still
    exact in int32 (`in` must be a multiple of 32, at most 8192).
    Opt-in: `--lm-head=q4`.
  }];
  let options = [
    Option<"format", "format", "std::string", /*default=*/"\"int8\"",
           "The rows' format: int8 or q4">,
  ];
  let dependentDialects = ["::mlir::tern::TernDialect"];
}

//===----------------------------------------------------------------------===//
// Fusion
//===----------------------------------------------------------------------===//

def TernFuseGatedMul : Pass<"tern-fuse-gated-mul", "::mlir::func::FuncOp"> {
  let summary = "Fuse the FFN's gate activation into its product with up";
  let description = [{
    Rewrites `tern.mul(tern.relu2(%gate), %up)` into `tern.relu2_mul %gate,
    %up` and `tern.mul(tern.silu(%gate), %up)` into `tern.silu_mul %gate,
    %up` (either operand order) when the activation has no other use: one
    pass over the FFN's widest activations instead of two, and no
    intermediate.
  }];
  let dependentDialects = ["::mlir::tern::TernDialect"];
}

def TernFuseParallelBitLinear
    : Pass<"tern-fuse-parallel-bitlinear", "::mlir::func::FuncOp"> {
  let summary = "Merge the ternary matmuls that share an input into one";
  let description = [{
    Replaces the `tern.bitlinear` ops that read the same input (q/k/v,
    gate/up) with one `tern.bitlinear` over all their weights, whose rows
    form one concatenated matrix: the input is quantized once, the packer
    lays the weights out back to back, and the compiled model runs all
    rows in one kernel dispatch. Results keep their order; the weights'
    `tern.weight` ops move before the merged op. Runs before
    tern-fuse-rmsnorm-bitlinear, which then finds one matmul per norm.
  }];
  let dependentDialects = ["::mlir::tern::TernDialect"];
}

def TernFuseRMSNormBitLinear
    : Pass<"tern-fuse-rmsnorm-bitlinear", "::mlir::func::FuncOp"> {
  let summary = "Fuse each RMS norm into the ternary matmuls that read it";
  let description = [{
    When every use of a `tern.rms_norm` is the input of a `tern.bitlinear`,
    replaces the norm and all those matmuls with one
    `tern.rms_norm_bitlinear` over all their weights: the normalized row is
    quantized to int8 once and shared (q/k/v read one norm, gate/up
    another), and the f32 normalized activations are never stored. The
    weights' `tern.weight` ops move before the first matmul so that the
    fused op can take its place. Norms with any other use are left alone.
  }];
  let dependentDialects = ["::mlir::tern::TernDialect"];
}

//===----------------------------------------------------------------------===//
// Backend selection
//===----------------------------------------------------------------------===//

def TernSelectWeightLayout
    : Pass<"tern-select-weight-layout", "::mlir::ModuleOp"> {
  let summary = "Give every weight the storage its backend's kernels read";
  let description = [{
    Rewrites each `tern.weight` to the form the compiled model will find in
    its packed weights: ternary weights take the backend's `layout` (e.g.
    every TQ1_0/TQ2_0/f16 ternary tensor becomes `i2_s` for the generic
    backend; the trits and the per-tensor scale are unchanged), and float
    tables stored in another encoding (a Q8_0 embedding read as f32) lose
    their `storage` attribute: the packer writes their f32 values. With
    `f16-row-interleave` N > 1, f16 matrices get `tern.row_interleave = N`:
    the packer stores them in groups of N rows interleaved element by element
    (the backend's TernKernels::f16_row_interleave). With
    `ternary-row-interleave` N > 1, ternary weights in `i2_s` get
    `tern.row_interleave = N`: the packer stores them in groups of N rows
    interleaved by 128-element block (TernKernels::i2s_row_interleave).
    Fails, naming the tensor, on a float matrix no kernel reads (bf16).
  }];
  let options = [
    Option<"layout", "layout", "std::string", "\"i2_s\"",
           "Ternary storage the backend's kernels read">,
    Option<"f16RowInterleave", "f16-row-interleave", "int64_t", "1",
           "Rows per interleaved group of f16 matrices (1: row-major)">,
    Option<"ternaryRowInterleave", "ternary-row-interleave", "int64_t", "1",
           "Rows per interleaved group of I2_S matrices (1: row-major)">,
  ];
  let dependentDialects = ["::mlir::tern::TernDialect"];
}

def TernPlanWeights : Pass<"tern-plan-weights", "::mlir::ModuleOp"> {
  let summary = "Lay out the packed weights and record each one's offset";
  let description = [{
    Plans the tensor data of the packed model file a compiled model carries:
    each GGUF tensor that a `tern.weight` needs (WeightPacking.h: a ternary
    weight in its layout's codes, a `#tern.row_scaled` weight as int8 or
    4-bit rows then f32 row scales, an f16 matrix as f16 in groups of
    `tern.row_interleave` rows, anything else as f32) gets the next offset,
    aligned to `alignment` bytes, from the start of the file's tensor data,
    in the order the weights first appear. Each weight gets
    `tern.weight_offset` (and `tern.row_scales_offset` for row-scaled ones);
    every weight that reads the same tensor gets the same offsets. Run after
    tern-select-weight-layout; the packer writes the bytes to this plan and
    fails if its file would differ. Fails on two uses of one tensor in
    different forms and on a ternary storage with no packed form.
  }];
  let options = [
    Option<"alignment", "alignment", "int64_t",
           "::mlir::tern::kDefaultWeightAlignment",
           "Byte alignment of each packed tensor (a power of two)">,
  ];
}

//===----------------------------------------------------------------------===//
// Memory planning
//===----------------------------------------------------------------------===//

def TernPlanMemory : Pass<"tern-plan-memory", "::mlir::func::FuncOp"> {
  let summary = "Give every activation a static offset in one arena";
  let description = [{
    Compiled models allocate nothing while they run: each activation tensor
    produced in a function gets a byte offset in a per-function arena, and
    two tensors share bytes only when their lifetimes (from the defining op
    to the last use, in the function's single block) do not overlap.
    Offsets are aligned to `alignment` bytes and chosen first-fit, reusing
    the lowest free range. Each op gets `tern.arena_offsets` (one offset per
    result) and the function `tern.arena_size`, the bytes the plan needs.
    Weights (`tern.weight`) live in the model file and take no arena space.
    Ops that quantize activations for an int8 or ternary matmul
    (`tern.bitlinear`, `tern.rms_norm_bitlinear`, `tern.linear` with a
    `#tern.row_scaled` weight) also get `tern.scratch_offset`: room for the
    int8 rows and their scales (ArenaLayout.h), live only during the op.
  }];
  let options = [
    Option<"alignment", "alignment", "int64_t", "64",
           "Byte alignment of every activation (a cache line)">,
  ];
}

//===----------------------------------------------------------------------===//
// Lowering
//===----------------------------------------------------------------------===//

def TernLowerToKernels : Pass<"tern-lower-to-kernels", "::mlir::ModuleOp"> {
  let summary = "Lower tern ops to calls of the runtime's kernel entries";
  let description = [{
    Turns the planned @decode and @prefill functions into
    `@tern_model_decode` and `@tern_model_prefill`, which take one
    `TernStep *` (runtime/model/ModelAbi.h) and call a `tern_exec_*` entry
    per op on raw pointers: activations at their `tern.arena_offsets` in the
    step's arena (quantized rows in `tern.scratch_offset`), weights at their
    `tern.weight_offset` in the packed file's tensor data, the returned
    value in the step's logits. Also defines `@tern_model_info` (the model's sizes as an
    array of i64) and `@tern_model_kernels`, which returns the table of
    `kernels-symbol`. Every tensor value disappears: what remains is `func`,
    `arith` and `llvm` ops, ready for the standard conversion to the LLVM
    dialect. Requires tern-plan-memory and tern-plan-weights.
  }];
  let options = [
    Option<"kernelsSymbol", "kernels-symbol", "std::string",
           "\"ternGenericKernels\"",
           "The backend's C function returning its TernKernels table">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::func::FuncDialect",
                           "::mlir::LLVM::LLVMDialect"];
}

#endif // TERNC_COMPILER_TRANSFORMS_PASSES_TD
