//===- TernOps.td - tern dialect operations ----------------*- tablegen -*-===//
//
// Every op infers its result type from its operands (InferTypeOpInterface):
// the importer never states a shape twice. Verifiers check the operands
// against each other and name them and their shapes.
//
//===----------------------------------------------------------------------===//

#ifndef TERN_OPS_TD
#define TERN_OPS_TD

include "dialects/Tern/IR/TernBase.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

class Tern_Op<string mnemonic, list<Trait> traits = []>
    : Op<Tern_Dialect, mnemonic, traits>;

/// An op whose result type is inferred from its operands.
class Tern_InferredOp<string mnemonic, list<Trait> traits = []>
    : Tern_Op<mnemonic, !listconcat(traits, [
        Pure, DeclareOpInterfaceMethods<InferTypeOpInterface>])>;

//===----------------------------------------------------------------------===//
// tern.weight
//===----------------------------------------------------------------------===//

def Tern_WeightOp : Tern_Op<"weight", [Pure]> {
  let summary = "a model weight, named by its GGUF tensor";
  let description = [{
    Stands for the weight tensor `tensor` of the model file; its bytes stay in
    the file (and later in the compiled binary), never in the IR. Ternary
    matmul weights are `#tern.ternary` tensors; norms, embeddings and LM heads
    are statically shaped f32/f16/bf16 tensors. `storage` names the file's
    encoding when it differs from the element type (e.g. `"Q8_0"` for an f32
    view of a Q8_0 embedding).

    ```mlir
    %wq = tern.weight "blk.0.attn_q.weight" : tensor<2560x2560xi2, #tern.ternary<i2_s, scale = 0.0371>>
    %g = tern.weight "blk.0.attn_norm.weight" : tensor<2560xf32>
    ```
  }];
  let arguments = (ins StrAttr:$tensor, OptionalAttr<StrAttr>:$storage);
  let results = (outs AnyTypeOf<[Tern_TernaryType, Tern_Vector,
                                 Tern_DenseMatrix]>:$result);
  let assemblyFormat = "$tensor attr-dict `:` type($result)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// tern.embed
//===----------------------------------------------------------------------===//

def Tern_EmbedOp : Tern_InferredOp<"embed"> {
  let summary = "token embedding lookup";
  let description = [{
    Row `tokens[i]` of the `vocab x embd` table, as f32, for each token. A
    `#tern.row_scaled` int8 table gives each int8 value times its row's
    scale, the product rounded to f32; a 4-bit one gives (float)(sub-scale
    * value) times its row's scale, rounded to f32.

    ```mlir
    %x = tern.embed %table, %tokens : (tensor<128256x2560xf16>, tensor<1xi32>) -> tensor<1x2560xf32>
    ```
  }];
  let arguments = (ins Tern_DenseMatrix:$table, Tern_TokenIds:$tokens);
  let results = (outs Tern_Activations:$result);
  let assemblyFormat = [{
    $table `,` $tokens attr-dict `:` functional-type(operands, results)
  }];
}

//===----------------------------------------------------------------------===//
// tern.rms_norm
//===----------------------------------------------------------------------===//

def Tern_RMSNormOp : Tern_InferredOp<"rms_norm"> {
  let summary = "RMS normalization of each token, times gamma";
  let description = [{
    `y[t, i] = x[t, i] / sqrt(mean_j(x[t, j]^2) + epsilon) * gamma[i]`, the
    mean of squares accumulated in double precision (as ggml does).

    ```mlir
    %h = tern.rms_norm %x, %gamma {epsilon = 1.0e-05 : f32} : (tensor<1x2560xf32>, tensor<2560xf32>) -> tensor<1x2560xf32>
    ```
  }];
  let arguments = (ins Tern_Activations:$input, Tern_Vector:$gamma,
                       F32Attr:$epsilon);
  let results = (outs Tern_Activations:$result);
  let hasVerifier = 1;
  let assemblyFormat = [{
    $input `,` $gamma attr-dict `:` functional-type(operands, results)
  }];
}

//===----------------------------------------------------------------------===//
// tern.bitlinear
//===----------------------------------------------------------------------===//

def Tern_BitLinearOp : Tern_InferredOp<"bitlinear"> {
  let summary = "ternary matmuls on int8 activations (per token or per block)";
  let description = [{
    BitNet b1.58's linear layer, with bitnet.cpp's numerics. For each token
    row `x` of `input` (length K): `amax = max(1e-5, max_k |x_k|)`,
    `s = 127 / amax`, `q_k = clamp(round_half_even(x_k * s), -128, 127)`;
    then `y_r = (sum_k t_rk * q_k) / s * scale` for each weight row `t_r`.

    With `activations = #tern<activations q8_k>` the op computes llama.cpp's
    numerics for TQ1_0/TQ2_0 instead (`--numerics=llama.cpp`; K a multiple
    of 256): per block of 256 activations, `max` = the first element of
    largest magnitude with its sign, `iscale = -127 / max`, `q_k =
    min(127, round_half_even(iscale * x_k))`, `d_b = 1 / iscale`; then
    `y_r = sum_b (sum_{k in b} t_rk * q_k) * (d_b * scale)`, accumulated in
    f32 block by block.

    With several weights (all of K columns) the op is one matmul over their
    rows concatenated, one result per weight: the input is quantized once
    and the compiled model runs all rows in one pass
    (`tern-fuse-parallel-bitlinear` forms it from matmuls sharing an input).

    ```mlir
    %q = tern.bitlinear %h, %wq : (tensor<1x2560xf32>, tensor<2560x2560xi2, #tern.ternary<i2_s, scale = 0.0371>>) -> tensor<1x2560xf32>
    %g, %u = tern.bitlinear %h, %wg, %wu : (tensor<1x2560xf32>, tensor<6912x2560xi2, #tern.ternary<i2_s, scale = 0.02>>, tensor<6912x2560xi2, #tern.ternary<i2_s, scale = 0.03>>) -> (tensor<1x6912xf32>, tensor<1x6912xf32>)
    ```
  }];
  let arguments = (ins Tern_Activations:$input,
                       Variadic<Tern_TernaryType>:$weights,
                       DefaultValuedAttr<Tern_ActivationQuantAttr,
                         "::mlir::tern::ActivationQuant::PerToken">:$activations);
  let results = (outs Variadic<Tern_Activations>:$results);
  let hasVerifier = 1;
  let assemblyFormat = [{
    $input `,` $weights attr-dict `:` functional-type(operands, results)
  }];
}

//===----------------------------------------------------------------------===//
// tern.rms_norm_bitlinear
//===----------------------------------------------------------------------===//

def Tern_RMSNormBitLinearOp : Tern_InferredOp<"rms_norm_bitlinear"> {
  let summary = "RMS norm fused into the ternary matmuls that read it";
  let description = [{
    `tern.bitlinear(tern.rms_norm(input, gamma), w)` for each weight `w`, in
    one op: the norm produces the int8 activations and their per-token scale
    once and every matmul reuses them (q/k/v share one, gate/up another), so
    the normalized f32 rows are never stored. Same numerics as the unfused
    ops (`activations` as theirs); one result per weight.

    ```mlir
    %q, %k, %v = tern.rms_norm_bitlinear %x, %gamma, %wq, %wk, %wv {epsilon = 1.0e-05 : f32} : (tensor<1x2560xf32>, tensor<2560xf32>, tensor<2560x2560xi2, #tern.ternary<i2_s, scale = 0.0371>>, tensor<640x2560xi2, #tern.ternary<i2_s, scale = 0.04>>, tensor<640x2560xi2, #tern.ternary<i2_s, scale = 0.05>>) -> (tensor<1x2560xf32>, tensor<1x640xf32>, tensor<1x640xf32>)
    ```
  }];
  let arguments = (ins Tern_Activations:$input, Tern_Vector:$gamma,
                       Variadic<Tern_TernaryType>:$weights,
                       F32Attr:$epsilon,
                       DefaultValuedAttr<Tern_ActivationQuantAttr,
                         "::mlir::tern::ActivationQuant::PerToken">:$activations);
  let results = (outs Variadic<Tern_Activations>:$results);
  let hasVerifier = 1;
  let assemblyFormat = [{
    $input `,` $gamma `,` $weights attr-dict `:`
    functional-type(operands, results)
  }];
}

//===----------------------------------------------------------------------===//
// tern.relu2_mul
//===----------------------------------------------------------------------===//

/// An elementwise op of two activations of one shape, named `first` and
/// `second`: its result has their shape, and its verifier names both when
/// they differ (helpers in TernOps.cpp).
class Tern_ElementwisePairOp<string mnemonic, string first, string second,
                             list<Trait> traits = []>
    : Tern_InferredOp<mnemonic, traits> {
  let results = (outs Tern_Activations:$result);
  let hasVerifier = 1;
  let extraClassDefinition = [{
    ::mlir::LogicalResult $cppClass::inferReturnTypes(
        ::mlir::MLIRContext *, std::optional<::mlir::Location>,
        ::mlir::ValueRange operands, ::mlir::DictionaryAttr,
        ::mlir::OpaqueProperties, ::mlir::RegionRange,
        ::llvm::SmallVectorImpl<::mlir::Type> &results) {
      return inferFromFirstOperand(operands, results);
    }
    ::mlir::LogicalResult $cppClass::verify() {
      return verifySameShapes(*this, "}] # first # [{", "}] # second # [{");
    }
  }];
}

/// An FFN gate's activation times the up projection, elementwise, in one
/// pass over memory (tern-fuse-gated-mul makes them).
class Tern_GatedMulOp<string mnemonic>
    : Tern_ElementwisePairOp<mnemonic, "gate", "up"> {
  let arguments = (ins Tern_Activations:$gate, Tern_Activations:$up);
  let assemblyFormat = [{
    $gate `,` $up attr-dict `:` functional-type(operands, results)
  }];
}

def Tern_Relu2MulOp : Tern_GatedMulOp<"relu2_mul"> {
  let summary = "squared-ReLU gate times up projection";
  let description = [{
    `max(gate, 0)^2 * up` elementwise: `tern.mul(tern.relu2(gate), up)` in one
    pass over memory, the FFN gating of BitNet b1.58.

    ```mlir
    %f = tern.relu2_mul %gate, %up : (tensor<1x6912xf32>, tensor<1x6912xf32>) -> tensor<1x6912xf32>
    ```
  }];
}

//===----------------------------------------------------------------------===//
// tern.silu_mul
//===----------------------------------------------------------------------===//

def Tern_SiluMulOp : Tern_GatedMulOp<"silu_mul"> {
  let summary = "SiLU gate times up projection";
  let description = [{
    `silu(gate) * up` elementwise, each element exactly as
    `tern.mul(tern.silu(gate), up)` computes it, in one pass over memory: the
    FFN gating of the `bitnet` and `llama` architectures.

    ```mlir
    %f = tern.silu_mul %gate, %up : (tensor<1x6912xf32>, tensor<1x6912xf32>) -> tensor<1x6912xf32>
    ```
  }];
}

//===----------------------------------------------------------------------===//
// tern.linear
//===----------------------------------------------------------------------===//

def Tern_LinearOp : Tern_InferredOp<"linear"> {
  let summary = "dense matmul (e.g. the LM head)";
  let description = [{
    `y = input * weight^T` for an `out x in` f32/f16/bf16 weight. With an f16
    weight the activations are rounded to f16 first, as ggml's F16 matmul
    does; accumulation is f32. With a `#tern.row_scaled` int8 weight the
    activations are quantized per token as `tern.bitlinear` quantizes them
    (absmax int8, scale `s`), the int8 products summed exactly and
    `y = (float)sum / s * scale[r]`. A 4-bit `#tern.row_scaled` weight does
    the same with `sum = sum_g s[r][g] * sum_{k in g} q[r][k] * x_q[k]`,
    exact in int32.

    ```mlir
    %logits = tern.linear %h, %embd : (tensor<1x2560xf32>, tensor<128256x2560xf16>) -> tensor<1x128256xf32>
    ```
  }];
  let arguments = (ins Tern_Activations:$input, Tern_DenseMatrix:$weight);
  let results = (outs Tern_Activations:$result);
  let hasVerifier = 1;
  let assemblyFormat = [{
    $input `,` $weight attr-dict `:` functional-type(operands, results)
  }];
}

//===----------------------------------------------------------------------===//
// tern.rope
//===----------------------------------------------------------------------===//

def Tern_RopeOp : Tern_InferredOp<"rope"> {
  let summary = "rotary position embedding of every head";
  let description = [{
    Rotates the first `dims` features of each `head_dim`-wide head of token
    `t` by angles `(position + t) * base^(-2i/dims)`. `neox` pairs feature
    `i` with `i + dims/2`; `norm` pairs `2i` with `2i + 1`.

    ```mlir
    %qr = tern.rope neox %q, %pos {base = 5.0e+05 : f32, dims = 128 : i64, head_dim = 128 : i64} : (tensor<1x2560xf32>, index) -> tensor<1x2560xf32>
    ```
  }];
  let arguments = (ins Tern_Activations:$input, Index:$position,
                       Tern_RopeKindAttr:$kind, F32Attr:$base,
                       I64Attr:$dims, I64Attr:$head_dim);
  let results = (outs Tern_Activations:$result);
  let hasVerifier = 1;
  let assemblyFormat = [{
    $kind $input `,` $position attr-dict `:` functional-type(operands, results)
  }];
}

//===----------------------------------------------------------------------===//
// tern.attention
//===----------------------------------------------------------------------===//

def Tern_AttentionOp : Tern_Op<"attention", [
    DeclareOpInterfaceMethods<InferTypeOpInterface>]> {
  let summary = "causal grouped-query attention over the KV cache";
  let description = [{
    Appends the keys and values of the `N` new tokens to layer `layer` of
    `cache` at positions `position .. position + N - 1`, then computes, for
    each query head `h` and token `t`, softmax over positions
    `0 .. position + t` of `q·k / sqrt(head_dim)` and the weighted sum of
    values. Query head `h` uses KV head `h / (heads / kv_heads)`. The number
    of query heads is `q`'s width over `head_dim`.

    ```mlir
    %a = tern.attention %q, %k, %v, %cache, %pos {layer = 0 : i64} : (tensor<1x2560xf32>, tensor<1x640xf32>, tensor<1x640xf32>, !tern.kv_cache<layers 30, capacity 4096, kv_heads 5, head_dim 128, f16>, index) -> tensor<1x2560xf32>
    ```
  }];
  let arguments = (ins Tern_Activations:$query, Tern_Activations:$key,
                       Tern_Activations:$value,
                       Arg<Tern_KVCacheType, "the cache",
                           [MemRead, MemWrite]>:$cache,
                       Index:$position, I64Attr:$layer);
  let results = (outs Tern_Activations:$result);
  let hasVerifier = 1;
  let assemblyFormat = [{
    $query `,` $key `,` $value `,` $cache `,` $position attr-dict `:`
    functional-type(operands, results)
  }];
}

//===----------------------------------------------------------------------===//
// Elementwise ops
//===----------------------------------------------------------------------===//

class Tern_UnaryOp<string mnemonic, string what, string example>
    : Tern_InferredOp<mnemonic, [SameOperandsAndResultType]> {
  let summary = what;
  let description = "Elementwise " # what # ".\n\n```mlir\n" # example #
                    "\n```";
  let arguments = (ins Tern_Activations:$input);
  let results = (outs Tern_Activations:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def Tern_Relu2Op : Tern_UnaryOp<"relu2", "squared ReLU, max(x, 0)^2",
    "%y = tern.relu2 %x : tensor<1x6912xf32>">;
def Tern_SiluOp : Tern_UnaryOp<"silu", "SiLU, x / (1 + exp(-x))",
    "%y = tern.silu %x : tensor<1x6912xf32>">;

class Tern_BinaryOp<string mnemonic, string what, string example>
    : Tern_ElementwisePairOp<mnemonic, "lhs", "rhs", [Commutative]> {
  let summary = what;
  let description = "Elementwise " # what # " of two tensors of one "
                    # "shape.\n\n```mlir\n" # example # "\n```";
  let arguments = (ins Tern_Activations:$lhs, Tern_Activations:$rhs);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` functional-type(operands, results)
  }];
}

def Tern_AddOp : Tern_BinaryOp<"add", "sum",
    "%y = tern.add %x, %r : (tensor<1x2560xf32>, tensor<1x2560xf32>) -> tensor<1x2560xf32>">;
def Tern_MulOp : Tern_BinaryOp<"mul", "product",
    "%y = tern.mul %g, %u : (tensor<1x6912xf32>, tensor<1x6912xf32>) -> tensor<1x6912xf32>">;

#endif // TERN_OPS_TD
