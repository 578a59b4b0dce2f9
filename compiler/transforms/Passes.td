//===- Passes.td - ternc's passes on tern IR ---------------*- tablegen -*-===//

#ifndef TERNC_COMPILER_TRANSFORMS_PASSES_TD
#define TERNC_COMPILER_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

//===----------------------------------------------------------------------===//
// Fusion
//===----------------------------------------------------------------------===//

def TernFuseRelu2Mul : Pass<"tern-fuse-relu2-mul", "::mlir::func::FuncOp"> {
  let summary = "Fuse the squared-ReLU gate into its product with up";
  let description = [{
    Rewrites `tern.mul(tern.relu2(%gate), %up)` (either operand order) into
    `tern.relu2_mul %gate, %up` when the relu2 has no other use: one pass
    over the FFN's widest activations instead of two, and no intermediate.
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
  }];
  let options = [
    Option<"alignment", "alignment", "int64_t", "64",
           "Byte alignment of every activation (a cache line)">,
  ];
}

#endif // TERNC_COMPILER_TRANSFORMS_PASSES_TD
