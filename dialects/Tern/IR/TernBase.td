//===- TernBase.td - The tern dialect, its types and enums -*- tablegen -*-===//
//
// tern models a ternary (BitNet b1.58) language model as a program on
// statically shaped tensors. Weights are symbols naming GGUF tensors: their
// bytes never appear in the IR.
//
//===----------------------------------------------------------------------===//

#ifndef TERN_BASE_TD
#define TERN_BASE_TD

include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"
include "mlir/IR/OpBase.td"
include "mlir/IR/TensorEncoding.td"

def Tern_Dialect : Dialect {
  let name = "tern";
  let cppNamespace = "::mlir::tern";
  let summary = "Ternary (BitNet b1.58) language models as static-shape IR";
  let description = [{
    The `tern` dialect describes one forward pass of a ternary language model
    (BitNet b1.58 and relatives) on tensors with static shapes. Ternary weight
    matrices have their own type carrying shape, storage and the per-tensor
    scale; the key/value cache has a type with a static capacity; every op
    infers its result type from its operands and rejects inconsistent shapes
    with a message that names the operands and their shapes.

    Shapes follow MLIR's convention: outermost dimension first. A GGUF matrix
    with dimensions `{ne0, ne1}` (ne0 contiguous) is `ne1 x ne0` here, so a
    linear weight is `out x in` and activations are `tokens x features`.
  }];
  let useDefaultTypePrinterParser = 1;
  let useDefaultAttributePrinterParser = 1;

  // What the importer and the passes attach to ops they do not own, checked
  // by verifyOperationAttribute (TernDialect.cpp): the module's
  // `architecture` and `hparams` (importer); a function's `arena_size` and
  // an op's `arena_offsets` (one per result) and `scratch_offset`
  // (tern-plan-memory); a weight's `row_interleave`
  // (tern-select-weight-layout), `weight_offset` and `row_scales_offset`
  // (the packer).
  let discardableAttrs = (ins
    "::mlir::StringAttr":$architecture,
    "::mlir::DictionaryAttr":$hparams,
    "::mlir::IntegerAttr":$arena_size,
    "::mlir::DenseI64ArrayAttr":$arena_offsets,
    "::mlir::IntegerAttr":$scratch_offset,
    "::mlir::IntegerAttr":$row_interleave,
    "::mlir::IntegerAttr":$weight_offset,
    "::mlir::IntegerAttr":$row_scales_offset
  );
  let hasOperationAttrVerify = 1;
}

//===----------------------------------------------------------------------===//
// Enums
//===----------------------------------------------------------------------===//

def Tern_TernaryStorage : I32EnumAttr<"TernaryStorage",
    "how a ternary weight is stored in the model file", [
      I32EnumAttrCase<"I2_S", 0, "i2_s">,
      I32EnumAttrCase<"TQ1_0", 1, "tq1_0">,
      I32EnumAttrCase<"TQ2_0", 2, "tq2_0">,
      I32EnumAttrCase<"F32", 3, "f32">,
      I32EnumAttrCase<"F16", 4, "f16">,
      I32EnumAttrCase<"BF16", 5, "bf16">,
    ]> {
  let cppNamespace = "::mlir::tern";
  let genSpecializedAttr = 0;
}

def Tern_RopeKindAttr : I32EnumAttr<"RopeKind", "RoPE dimension pairing", [
      I32EnumAttrCase<"Neox", 0, "neox">,
      I32EnumAttrCase<"Norm", 1, "norm">,
    ]> {
  let cppNamespace = "::mlir::tern";
}

def Tern_ActivationQuant : I32EnumAttr<"ActivationQuant",
    "how a ternary matmul quantizes its activations", [
      I32EnumAttrCase<"PerToken", 0, "per_token">,
      I32EnumAttrCase<"Q8K", 1, "q8_k">,
    ]> {
  let cppNamespace = "::mlir::tern";
  let genSpecializedAttr = 0;
}

//===----------------------------------------------------------------------===//
// Attributes
//===----------------------------------------------------------------------===//

def Tern_ActivationQuantAttr : EnumAttr<Tern_Dialect, Tern_ActivationQuant,
                                        "activations"> {
  let summary = "how a ternary matmul quantizes its activations";
  let description = [{
    `per_token` (the default, what an op without the attribute does):
    BitNet b1.58's training rule and bitnet.cpp's numerics, one absmax int8
    scale per token. `q8_k`: llama.cpp's numerics for TQ1_0/TQ2_0 matmuls,
    one scale per block of 256 activations (ggml's Q8_K) and one f32
    accumulation of the block sums (docs/formats.md §7).
  }];
}

def Tern_RowScaledAttr : AttrDef<Tern_Dialect, "RowScaled"> {
  let mnemonic = "row_scaled";
  let summary = "tensor encoding: int8 or 4-bit rows, each with an f32 scale";
  let description = [{
    Marks a 2-D `i8` weight tensor whose row `r` stands for `q[r][k] *
    scale[r]`, one f32 scale per row (symmetric absmax quantization to
    [-127, 127], as `tern-quantize-lm-head` writes it). The scales are part
    of the weight, like the per-tensor scale of `#tern.ternary`; the packed
    model file stores them beside the int8 rows.

    On an `i4` tensor (`tern-quantize-lm-head{format=q4}`; the column count
    a multiple of 32, at most 8192) each group of 32 consecutive columns of
    a row also has an unsigned 8-bit sub-scale `s[r][g]`: element `(r, k)`
    stands for `scale[r] * (s[r][k / 32] * q[r][k])` with `q` in [-7, 7].
    The packed file stores the nibbles and sub-scales of each row together
    (backends/common/Q4Layout.h) and the row scales beside them.

    ```mlir
    %w = tern.weight "token_embd.weight" : tensor<128256x2560xi8, #tern.row_scaled>
    %h = tern.weight "output.weight" : tensor<128256x4096xi4, #tern.row_scaled>
    ```
  }];
}

def Tern_TernaryAttr : AttrDef<Tern_Dialect, "Ternary",
    [DeclareAttrInterfaceMethods<VerifiableTensorEncoding>]> {
  let mnemonic = "ternary";
  let summary = "tensor encoding: ternary values with one scale per tensor";
  let description = [{
    Marks a 2-D `i2` weight tensor of `out x in` values in {-1, 0, +1},
    multiplied by one f32 `scale` for the whole tensor, as BitNet b1.58
    trains them. `storage` says how the bytes are stored (bitnet.cpp's I2_S,
    llama.cpp's TQ1_0/TQ2_0, or plain floats holding ternary values in the
    model file; `tern-select-weight-layout` sets what the backend's kernels
    read). Like `#tern.row_scaled`, it is one of the two quantized weight
    encodings: the tensor's shape and element type say what a weight holds,
    the encoding how it is scaled and stored.

    ```mlir
    %w = tern.weight "blk.0.attn_q.weight" : tensor<640x2560xi2, #tern.ternary<i2_s, scale = 0.0371>>
    ```
  }];
  let parameters = (ins
    "::mlir::tern::TernaryStorage":$storage,
    APFloatParameter<"per-tensor scale">:$scale
  );
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// The scale as a float.
    float getScaleValue() const { return getScale().convertToFloat(); }
  }];
}

//===----------------------------------------------------------------------===//
// Types
//===----------------------------------------------------------------------===//

class Tern_Type<string name, string typeMnemonic, list<Trait> traits = []>
    : TypeDef<Tern_Dialect, name, traits> {
  let mnemonic = typeMnemonic;
}

def Tern_KVCacheType : Tern_Type<"KVCache", "kv_cache"> {
  let summary = "key/value cache of every layer, with a static capacity";
  let description = [{
    Keys and values of all layers for up to `capacity` positions:
    `layers x capacity x kv_heads x head_dim` elements each for K and V.
    `tern.attention` reads it and appends the new positions.

    ```mlir
    !tern.kv_cache<layers 30, capacity 4096, kv_heads 5, head_dim 128, f16>
    ```
  }];
  let parameters = (ins "int64_t":$layers, "int64_t":$capacity,
                        "int64_t":$kvHeads, "int64_t":$headDim,
                        "::mlir::Type":$elementType);
  let assemblyFormat = [{
    `<` `layers` $layers `,` `capacity` $capacity `,` `kv_heads` $kvHeads `,`
    `head_dim` $headDim `,` $elementType `>`
  }];
  let genVerifyDecl = 1;
}

//===----------------------------------------------------------------------===//
// Type constraints
//===----------------------------------------------------------------------===//

/// A statically shaped tensor of one of `types` and rank `rank`.
class Tern_StaticTensorOf<list<Type> types, int rank>
    : RankedTensorOf<types, [HasStaticShapePred, HasAnyRankOfPred<[rank]>],
                     rank # "-D statically shaped tensor">;

def Tern_Activations : Tern_StaticTensorOf<[F32], 2>;
def Tern_Vector : Tern_StaticTensorOf<[F32], 1>;
def Tern_TokenIds : Tern_StaticTensorOf<[I32], 1>;
def Tern_FloatMatrix : Tern_StaticTensorOf<[F32, F16, BF16], 2>;
/// An int8 or 4-bit matrix with one scale per row (#tern.row_scaled).
def Tern_RowScaledMatrix : Type<
    And<[Tern_StaticTensorOf<[I8, I<4>], 2>.predicate,
         CPred<"::mlir::tern::isRowScaled($_self)">,
         CPred<"::mlir::tern::hasRowScaledShape($_self)">]>,
    "2-D statically shaped i8 tensor, or i4 tensor of a multiple of 32 "
    "columns up to 8192, with #tern.row_scaled encoding",
    "::mlir::RankedTensorType">;
/// A ternary weight matrix (#tern.ternary; the C++ view TernaryType).
def Tern_TernaryType : Type<
    CPred<"::llvm::isa<::mlir::tern::TernaryType>($_self)">,
    "2-D i2 tensor with #tern.ternary encoding", "::mlir::tern::TernaryType">;
/// What embeddings and dense matmuls read.
def Tern_DenseMatrix : AnyTypeOf<[Tern_FloatMatrix, Tern_RowScaledMatrix]>;

#endif // TERN_BASE_TD
