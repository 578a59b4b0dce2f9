// RUN: tern-opt %s --split-input-file --verify-diagnostics --tern-lower-to-kernels | FileCheck %s
// RUN: tern-opt %s --split-input-file --verify-diagnostics --tern-lower-to-kernels=kernels-symbol=myKernels | FileCheck %s --check-prefix=SYMBOL

// A planned, packed model of two tokens per prefill (vocab 8, 128 features,
// one layer): every op becomes one call on pointers into the step's arena
// (tern.arena_offsets), scratch (tern.scratch_offset), weights
// (tern.weight_offset) and, for the returned value, the logits.
// CHECK: llvm.mlir.global external constant @tern_model_info(dense<[{{[0-9]+}}, {{[0-9]+}}, 8, 2, 16, 1, 1, 128, 1, 1024, 4096, 128]> : tensor<12xi64>)
// CHECK: func.func private @ternGenericKernels() -> !llvm.ptr
// CHECK: func.func @tern_model_kernels() -> !llvm.ptr
// CHECK-NEXT: call @ternGenericKernels()
// SYMBOL: func.func private @myKernels() -> !llvm.ptr
// SYMBOL: call @myKernels()

// CHECK-LABEL: func.func @tern_model_decode(%arg0: !llvm.ptr) attributes {tern.arena_size = 1024 : i64}
// The step's fields: exec, weights, arena, tokens, position, valid tokens,
// logits, last_logits_only.
// CHECK: %[[EXEC:.+]] = llvm.load %{{.+}} : !llvm.ptr -> !llvm.ptr
// CHECK: %[[WEIGHTS:.+]] = llvm.load %{{.+}} : !llvm.ptr -> !llvm.ptr
// CHECK: %[[ARENA:.+]] = llvm.load %{{.+}} : !llvm.ptr -> !llvm.ptr
// CHECK: %[[TOKENS:.+]] = llvm.load %{{.+}} : !llvm.ptr -> !llvm.ptr
// CHECK: %[[POS:.+]] = llvm.load %{{.+}} : !llvm.ptr -> i64
// CHECK: %[[VALID:.+]] = llvm.load %{{.+}} : !llvm.ptr -> i64
// CHECK: %[[LOGITS:.+]] = llvm.load %{{.+}} : !llvm.ptr -> !llvm.ptr
// CHECK: %[[C4096:.+]] = arith.constant 4096 : i64
// CHECK: %[[TABLE:.+]] = llvm.getelementptr %[[WEIGHTS]][%[[C4096]]]
// CHECK: %[[C0:.+]] = arith.constant 0 : i64
// CHECK: %[[X:.+]] = llvm.getelementptr %[[ARENA]][%[[C0]]]
// CHECK: call @tern_exec_embed_f16(%[[EXEC]], %[[TABLE]], %[[TOKENS]], %{{.+}}, %{{.+}}, %[[X]])
// The fused norm quantizes into the scratch (int8 rows, then scales one
// cache line on) once for both matmuls.
// CHECK: %[[C1536:.+]] = arith.constant 1536 : i64
// CHECK: %[[Q:.+]] = llvm.getelementptr %[[ARENA]][%[[C1536]]]
// CHECK: %[[C128:.+]] = arith.constant 128 : i64
// CHECK: %[[S:.+]] = llvm.getelementptr %[[Q]][%[[C128]]]
// CHECK: call @tern_exec_rms_norm_quantize_i8(%[[EXEC]], %[[X]], %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %[[Q]], %[[S]])
// Then both matmuls in one call over an array of two parts {weights, rows,
// scale, output}.
// CHECK: %[[PARTS:.+]] = llvm.alloca %{{.+}} x !llvm.struct<(ptr, i64, f32, ptr)>
// CHECK: %[[P0W:.+]] = llvm.getelementptr %[[PARTS]][0, 0]
// CHECK: llvm.store %{{.+}}, %[[P0W]] : !llvm.ptr, !llvm.ptr
// CHECK: %[[P1S:.+]] = llvm.getelementptr %[[PARTS]][1, 2]
// CHECK: llvm.store %{{.+}}, %[[P1S]] : f32, !llvm.ptr
// CHECK: %[[C2:.+]] = arith.constant 2 : i64
// CHECK: call @tern_exec_bitlinear_i2s(%[[EXEC]], %[[Q]], %[[S]], %{{.+}}, %{{.+}}, %[[C2]], %[[PARTS]]) : (!llvm.ptr, !llvm.ptr, !llvm.ptr, i64, i64, i64, !llvm.ptr) -> ()
// CHECK-NOT: tern_exec_bitlinear_i2s
// CHECK: call @tern_exec_rope_neox_f32(%[[EXEC]], %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %[[POS]], %{{.+}})
// CHECK: call @tern_exec_attention(%[[EXEC]], %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %[[VALID]], %[[POS]],
// CHECK: call @tern_exec_add_f32(
// CHECK: call @tern_exec_rms_norm_f32(
// The LM head writes straight into the logits.
// CHECK: call @tern_exec_linear_f16(%[[EXEC]], %{{.+}}, %[[TABLE]], %{{.+}}, %{{.+}}, %{{.+}}, %[[LOGITS]], %{{.+}})
// CHECK-NEXT: return
// CHECK-LABEL: func.func @tern_model_prefill(%arg0: !llvm.ptr) attributes {tern.arena_size = 4096 : i64}
// CHECK: llvm.load %{{.+}} : !llvm.ptr -> i64
// CHECK: %[[PVALID:.+]] = llvm.load %{{.+}} : !llvm.ptr -> i64
// CHECK: %[[PLOGITS:.+]] = llvm.load %{{.+}} : !llvm.ptr -> !llvm.ptr
// CHECK: %[[ONLY:.+]] = llvm.load %{{.+}} : !llvm.ptr -> i64
// A prompt computes its valid rows only, not the whole chunk.
// CHECK: call @tern_exec_embed_f16(%{{.+}}, %{{.+}}, %{{.+}}, %[[PVALID]], %{{.+}}, %{{.+}})
// CHECK: call @tern_exec_rms_norm_f32(%{{.+}}, %{{.+}}, %{{.+}}, %[[PVALID]], %{{.+}}, %{{.+}}, %{{.+}})
// The LM head of a prompt: with last_logits_only, only row valid - 1 (one
// token) instead of the valid ones.
// CHECK: %[[ASKED:.+]] = arith.cmpi ne, %[[ONLY]], %{{.+}} : i64
// CHECK: %[[LAST:.+]] = arith.subi %[[PVALID]], %{{.+}} : i64
// CHECK: %[[COUNT:.+]] = arith.select %[[ASKED]], %{{.+}}, %[[PVALID]] : i64
// CHECK: %[[XBYTES:.+]] = arith.muli %[[LAST]], %{{.+}} : i64
// CHECK: %[[XOFF:.+]] = arith.select %[[ASKED]], %[[XBYTES]], %{{.+}} : i64
// CHECK: %[[X:.+]] = llvm.getelementptr %{{.+}}[%[[XOFF]]]
// CHECK: %[[YBYTES:.+]] = arith.muli %[[LAST]], %{{.+}} : i64
// CHECK: %[[YOFF:.+]] = arith.select %[[ASKED]], %[[YBYTES]], %{{.+}} : i64
// CHECK: %[[Y:.+]] = llvm.getelementptr %[[PLOGITS]][%[[YOFF]]]
// CHECK: call @tern_exec_linear_f16(%{{.+}}, %[[X]], %{{.+}}, %[[COUNT]], %{{.+}}, %{{.+}}, %[[Y]], %{{.+}})
// CHECK-NOT: tern.
// CHECK: func.func private @tern_exec_embed_f16(!llvm.ptr, !llvm.ptr, !llvm.ptr, i64, i64, !llvm.ptr)

!w = tensor<128x128xi2, #tern.ternary<i2_s, scale = 0.5>>
!cache = !tern.kv_cache<layers 1, capacity 16, kv_heads 1, head_dim 128, f16>
module {
  func.func @decode(%tokens: tensor<1xi32>, %pos: index, %cache: !cache) -> tensor<1x8xf32> attributes {tern.arena_size = 1024 : i64} {
    %table = tern.weight "token_embd.weight" {tern.weight_offset = 4096 : i64} : tensor<8x128xf16>
    %x = tern.embed %table, %tokens {tern.arena_offsets = array<i64: 0>} : (tensor<8x128xf16>, tensor<1xi32>) -> tensor<1x128xf32>
    %g = tern.weight "g" {tern.weight_offset = 8192 : i64} : tensor<128xf32>
    %wq = tern.weight "wq" {tern.weight_offset = 8704 : i64} : !w
    %wk = tern.weight "wk" {tern.weight_offset = 12864 : i64} : !w
    %q, %k = tern.rms_norm_bitlinear %x, %g, %wq, %wk {epsilon = 1.0e-05 : f32, tern.arena_offsets = array<i64: 512, 1024>, tern.scratch_offset = 1536 : i64} : (tensor<1x128xf32>, tensor<128xf32>, !w, !w) -> (tensor<1x128xf32>, tensor<1x128xf32>)
    %qr = tern.rope neox %q, %pos {base = 1.0e+04 : f32, dims = 128 : i64, head_dim = 128 : i64, tern.arena_offsets = array<i64: 1792>} : (tensor<1x128xf32>, index) -> tensor<1x128xf32>
    %a = tern.attention %qr, %k, %k, %cache, %pos {layer = 0 : i64, tern.arena_offsets = array<i64: 512>} : (tensor<1x128xf32>, tensor<1x128xf32>, tensor<1x128xf32>, !cache, index) -> tensor<1x128xf32>
    %r = tern.add %x, %a {tern.arena_offsets = array<i64: 1024>} : (tensor<1x128xf32>, tensor<1x128xf32>) -> tensor<1x128xf32>
    %n = tern.rms_norm %r, %g {epsilon = 1.0e-05 : f32, tern.arena_offsets = array<i64: 0>} : (tensor<1x128xf32>, tensor<128xf32>) -> tensor<1x128xf32>
    %logits = tern.linear %n, %table {tern.arena_offsets = array<i64: 512>} : (tensor<1x128xf32>, tensor<8x128xf16>) -> tensor<1x8xf32>
    return %logits : tensor<1x8xf32>
  }
  func.func @prefill(%tokens: tensor<2xi32>, %pos: index, %cache: !cache) -> tensor<2x8xf32> attributes {tern.arena_size = 4096 : i64} {
    %table = tern.weight "token_embd.weight" {tern.weight_offset = 4096 : i64} : tensor<8x128xf16>
    %x = tern.embed %table, %tokens {tern.arena_offsets = array<i64: 0>} : (tensor<8x128xf16>, tensor<2xi32>) -> tensor<2x128xf32>
    %g = tern.weight "g" {tern.weight_offset = 8192 : i64} : tensor<128xf32>
    %n = tern.rms_norm %x, %g {epsilon = 1.0e-05 : f32, tern.arena_offsets = array<i64: 1024>} : (tensor<2x128xf32>, tensor<128xf32>) -> tensor<2x128xf32>
    %logits = tern.linear %n, %table {tern.arena_offsets = array<i64: 2048>} : (tensor<2x128xf32>, tensor<8x128xf16>) -> tensor<2x8xf32>
    return %logits : tensor<2x8xf32>
  }
}

// -----

// Unpacked weights are an error naming the tensor.
!cache = !tern.kv_cache<layers 1, capacity 16, kv_heads 1, head_dim 128, f16>
module {
  func.func @decode(%tokens: tensor<1xi32>, %pos: index, %cache: !cache) -> tensor<1x128xf32> attributes {tern.arena_size = 1024 : i64} {
    // expected-error @+1 {{weight 'token_embd.weight' has no tern.weight_offset: run tern-plan-weights first}}
    %table = tern.weight "token_embd.weight" : tensor<8x128xf16>
    %x = tern.embed %table, %tokens {tern.arena_offsets = array<i64: 0>} : (tensor<8x128xf16>, tensor<1xi32>) -> tensor<1x128xf32>
    return %x : tensor<1x128xf32>
  }
  func.func @prefill(%tokens: tensor<2xi32>, %pos: index, %cache: !cache) -> tensor<2x128xf32> attributes {tern.arena_size = 4096 : i64} {
    %table = tern.weight "token_embd.weight" {tern.weight_offset = 4096 : i64} : tensor<8x128xf16>
    %x = tern.embed %table, %tokens {tern.arena_offsets = array<i64: 0>} : (tensor<8x128xf16>, tensor<2xi32>) -> tensor<2x128xf32>
    return %x : tensor<2x128xf32>
  }
}

// -----

// The entry contract (dialects/Tern/IR/ModelEntryPoints.h): a module without
// @prefill, ...
// expected-error @+1 {{a tern model module needs the functions @decode and @prefill}}
module {
  func.func @decode(%tokens: tensor<1xi32>, %pos: index) -> tensor<1x8xf32> {
    %x = arith.constant dense<0.0> : tensor<1x8xf32>
    return %x : tensor<1x8xf32>
  }
}

// -----

// ... an entry without the cache argument, ...
!cache = !tern.kv_cache<layers 1, capacity 16, kv_heads 1, head_dim 128, f16>
module {
  // expected-error @+1 {{@decode must have the type (tensor<N x i32>, index, !tern.kv_cache) -> tensor<N x vocab x f32> of a tern model entry, not '(tensor<1xi32>, index) -> tensor<1x8xf32>'}}
  func.func @decode(%tokens: tensor<1xi32>, %pos: index) -> tensor<1x8xf32> {
    %x = arith.constant dense<0.0> : tensor<1x8xf32>
    return %x : tensor<1x8xf32>
  }
  func.func @prefill(%tokens: tensor<2xi32>, %pos: index, %cache: !cache) -> tensor<2x8xf32> {
    %x = arith.constant dense<0.0> : tensor<2x8xf32>
    return %x : tensor<2x8xf32>
  }
}

// -----

// ... a decode of two tokens, ...
!cache = !tern.kv_cache<layers 1, capacity 16, kv_heads 1, head_dim 128, f16>
module {
  // expected-error @+1 {{@decode must take one token, not 2}}
  func.func @decode(%tokens: tensor<2xi32>, %pos: index, %cache: !cache) -> tensor<2x8xf32> {
    %x = arith.constant dense<0.0> : tensor<2x8xf32>
    return %x : tensor<2x8xf32>
  }
  func.func @prefill(%tokens: tensor<2xi32>, %pos: index, %cache: !cache) -> tensor<2x8xf32> {
    %x = arith.constant dense<0.0> : tensor<2x8xf32>
    return %x : tensor<2x8xf32>
  }
}

// -----

// ... and entries that disagree on the cache.
!cache = !tern.kv_cache<layers 1, capacity 16, kv_heads 1, head_dim 128, f16>
!other = !tern.kv_cache<layers 2, capacity 16, kv_heads 1, head_dim 128, f16>
module {
  func.func @decode(%tokens: tensor<1xi32>, %pos: index, %cache: !cache) -> tensor<1x8xf32> {
    %x = arith.constant dense<0.0> : tensor<1x8xf32>
    return %x : tensor<1x8xf32>
  }
  // expected-error @+1 {{@prefill must take the KV cache and give the vocabulary of @decode}}
  func.func @prefill(%tokens: tensor<2xi32>, %pos: index, %cache: !other) -> tensor<2x8xf32> {
    %x = arith.constant dense<0.0> : tensor<2x8xf32>
    return %x : tensor<2x8xf32>
  }
}

// -----

// The ops read the token ids, the position and the cache from the entry's
// arguments, where the runtime passes them: an embedding of constant tokens,
// ...
!cache = !tern.kv_cache<layers 1, capacity 16, kv_heads 1, head_dim 128, f16>
module {
  func.func @decode(%tokens: tensor<1xi32>, %pos: index, %cache: !cache) -> tensor<1x128xf32> {
    %table = tern.weight "token_embd.weight" : tensor<8x128xf16>
    %ids = arith.constant dense<3> : tensor<1xi32>
    // expected-error @+1 {{must read the token ids from @decode's argument #0, the only place a compiled model gets them}}
    %x = tern.embed %table, %ids : (tensor<8x128xf16>, tensor<1xi32>) -> tensor<1x128xf32>
    return %x : tensor<1x128xf32>
  }
  func.func @prefill(%tokens: tensor<2xi32>, %pos: index, %cache: !cache) -> tensor<2x128xf32> {
    %table = tern.weight "token_embd.weight" : tensor<8x128xf16>
    %x = tern.embed %table, %tokens : (tensor<8x128xf16>, tensor<2xi32>) -> tensor<2x128xf32>
    return %x : tensor<2x128xf32>
  }
}

// -----

// ... a rotation at a constant position ...
!cache = !tern.kv_cache<layers 1, capacity 16, kv_heads 1, head_dim 128, f16>
module {
  func.func @decode(%tokens: tensor<1xi32>, %pos: index, %cache: !cache) -> tensor<1x128xf32> {
    %table = tern.weight "token_embd.weight" : tensor<8x128xf16>
    %x = tern.embed %table, %tokens : (tensor<8x128xf16>, tensor<1xi32>) -> tensor<1x128xf32>
    %seven = arith.constant 7 : index
    // expected-error @+1 {{must read the position from @decode's argument #1}}
    %r = tern.rope neox %x, %seven {base = 1.0e+04 : f32, dims = 128 : i64, head_dim = 128 : i64} : (tensor<1x128xf32>, index) -> tensor<1x128xf32>
    return %r : tensor<1x128xf32>
  }
  func.func @prefill(%tokens: tensor<2xi32>, %pos: index, %cache: !cache) -> tensor<2x128xf32> {
    %table = tern.weight "token_embd.weight" : tensor<8x128xf16>
    %x = tern.embed %table, %tokens : (tensor<8x128xf16>, tensor<2xi32>) -> tensor<2x128xf32>
    return %x : tensor<2x128xf32>
  }
}

// -----

// ... and attention at a position computed from the argument.
!cache = !tern.kv_cache<layers 1, capacity 16, kv_heads 1, head_dim 128, f16>
module {
  func.func @decode(%tokens: tensor<1xi32>, %pos: index, %cache: !cache) -> tensor<1x128xf32> {
    %table = tern.weight "token_embd.weight" : tensor<8x128xf16>
    %x = tern.embed %table, %tokens : (tensor<8x128xf16>, tensor<1xi32>) -> tensor<1x128xf32>
    return %x : tensor<1x128xf32>
  }
  func.func @prefill(%tokens: tensor<2xi32>, %pos: index, %cache: !cache) -> tensor<2x128xf32> {
    %table = tern.weight "token_embd.weight" : tensor<8x128xf16>
    %x = tern.embed %table, %tokens : (tensor<8x128xf16>, tensor<2xi32>) -> tensor<2x128xf32>
    %one = arith.constant 1 : index
    %next = arith.addi %pos, %one : index
    // expected-error @+1 {{must read the position from @prefill's argument #1}}
    %a = tern.attention %x, %x, %x, %cache, %next {layer = 0 : i64} : (tensor<2x128xf32>, tensor<2x128xf32>, tensor<2x128xf32>, !cache, index) -> tensor<2x128xf32>
    return %a : tensor<2x128xf32>
  }
}

// -----

// Without tern-plan-memory there is nothing to lower onto.
!cache = !tern.kv_cache<layers 1, capacity 16, kv_heads 1, head_dim 128, f16>
module {
  // expected-error @+1 {{has no integer tern.arena_size: run tern-plan-memory first}}
  func.func @decode(%tokens: tensor<1xi32>, %pos: index, %cache: !cache) -> tensor<1x128xf32> {
    %table = tern.weight "token_embd.weight" {tern.weight_offset = 4096 : i64} : tensor<8x128xf16>
    %x = tern.embed %table, %tokens : (tensor<8x128xf16>, tensor<1xi32>) -> tensor<1x128xf32>
    return %x : tensor<1x128xf32>
  }
  func.func @prefill(%tokens: tensor<2xi32>, %pos: index, %cache: !cache) -> tensor<2x128xf32> {
    %table = tern.weight "token_embd.weight" {tern.weight_offset = 4096 : i64} : tensor<8x128xf16>
    %x = tern.embed %table, %tokens : (tensor<8x128xf16>, tensor<2xi32>) -> tensor<2x128xf32>
    return %x : tensor<2x128xf32>
  }
}

// -----

// A row-scaled int8 LM head (tied embedding): the table and the row scales
// are two pointers into the weights; the head quantizes its input into the
// op's scratch, then multiplies. The embedding reads the same int8 rows.
// CHECK-LABEL: func.func @tern_model_decode
// CHECK: llvm.load %{{.+}} : !llvm.ptr -> !llvm.ptr
// CHECK: %[[WEIGHTS:.+]] = llvm.load %{{.+}} : !llvm.ptr -> !llvm.ptr
// CHECK: %[[ARENA:.+]] = llvm.load %{{.+}} : !llvm.ptr -> !llvm.ptr
// CHECK: %[[C4096:.+]] = arith.constant 4096 : i64
// CHECK: %[[TABLE:.+]] = llvm.getelementptr %[[WEIGHTS]][%[[C4096]]]
// CHECK: %[[C5120:.+]] = arith.constant 5120 : i64
// CHECK: %[[SCALES:.+]] = llvm.getelementptr %[[WEIGHTS]][%[[C5120]]]
// CHECK: call @tern_exec_embed_i8(%{{.+}}, %[[TABLE]], %[[SCALES]], %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}})
// CHECK: %[[C1536:.+]] = arith.constant 1536 : i64
// CHECK: %[[Q:.+]] = llvm.getelementptr %[[ARENA]][%[[C1536]]]
// CHECK: %[[C128:.+]] = arith.constant 128 : i64
// CHECK: %[[S:.+]] = llvm.getelementptr %[[Q]][%[[C128]]]
// CHECK: call @tern_exec_quantize_rows_i8(%{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %[[Q]], %[[S]])
// Each reader addresses the row scales where it reads them.
// CHECK: %[[C5120B:.+]] = arith.constant 5120 : i64
// CHECK: %[[HEADSCALES:.+]] = llvm.getelementptr %[[WEIGHTS]][%[[C5120B]]]
// CHECK: call @tern_exec_linear_i8(%{{.+}}, %[[Q]], %[[S]], %[[TABLE]], %[[HEADSCALES]], %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}})
// CHECK: func.func private @tern_exec_linear_i8(!llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr, i64, i64, i64, !llvm.ptr, i64)
!head = tensor<8x128xi8, #tern.row_scaled>
!cache = !tern.kv_cache<layers 1, capacity 16, kv_heads 1, head_dim 128, f16>
module {
  func.func @decode(%tokens: tensor<1xi32>, %pos: index, %cache: !cache) -> tensor<1x8xf32> attributes {tern.arena_size = 2048 : i64} {
    %table = tern.weight "token_embd.weight" {tern.weight_offset = 4096 : i64, tern.row_scales_offset = 5120 : i64} : !head
    %x = tern.embed %table, %tokens {tern.arena_offsets = array<i64: 0>} : (!head, tensor<1xi32>) -> tensor<1x128xf32>
    %logits = tern.linear %x, %table {tern.arena_offsets = array<i64: 512>, tern.scratch_offset = 1536 : i64} : (tensor<1x128xf32>, !head) -> tensor<1x8xf32>
    return %logits : tensor<1x8xf32>
  }
  func.func @prefill(%tokens: tensor<2xi32>, %pos: index, %cache: !cache) -> tensor<2x8xf32> attributes {tern.arena_size = 2048 : i64} {
    %table = tern.weight "token_embd.weight" {tern.weight_offset = 4096 : i64, tern.row_scales_offset = 5120 : i64} : !head
    %x = tern.embed %table, %tokens {tern.arena_offsets = array<i64: 0>} : (!head, tensor<2xi32>) -> tensor<2x128xf32>
    %logits = tern.linear %x, %table {tern.arena_offsets = array<i64: 1024>, tern.scratch_offset = 1536 : i64} : (tensor<2x128xf32>, !head) -> tensor<2x8xf32>
    return %logits : tensor<2x8xf32>
  }
}

// -----

// A 4-bit row-scaled LM head lowers as the int8 one, to the q4 kernels.
// CHECK-LABEL: func.func @tern_model_decode
// CHECK: %[[C4096:.+]] = arith.constant 4096 : i64
// CHECK: %[[TABLE:.+]] = llvm.getelementptr %{{.+}}[%[[C4096]]]
// CHECK: %[[C5120:.+]] = arith.constant 5120 : i64
// CHECK: %[[SCALES:.+]] = llvm.getelementptr %{{.+}}[%[[C5120]]]
// CHECK: call @tern_exec_embed_q4(%{{.+}}, %[[TABLE]], %[[SCALES]], %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}})
// CHECK: call @tern_exec_quantize_rows_i8(%{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %[[Q:[0-9a-z_]+]], %[[S:[0-9a-z_]+]])
// CHECK: %[[C5120B:.+]] = arith.constant 5120 : i64
// CHECK: %[[HEADSCALES:.+]] = llvm.getelementptr %{{.+}}[%[[C5120B]]]
// CHECK: call @tern_exec_linear_q4(%{{.+}}, %[[Q]], %[[S]], %[[TABLE]], %[[HEADSCALES]], %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}})
// CHECK: func.func private @tern_exec_linear_q4(!llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr, i64, i64, i64, !llvm.ptr, i64)
!head = tensor<8x128xi4, #tern.row_scaled>
!cache = !tern.kv_cache<layers 1, capacity 16, kv_heads 1, head_dim 128, f16>
module {
  func.func @decode(%tokens: tensor<1xi32>, %pos: index, %cache: !cache) -> tensor<1x8xf32> attributes {tern.arena_size = 2048 : i64} {
    %table = tern.weight "token_embd.weight" {tern.weight_offset = 4096 : i64, tern.row_scales_offset = 5120 : i64} : !head
    %x = tern.embed %table, %tokens {tern.arena_offsets = array<i64: 0>} : (!head, tensor<1xi32>) -> tensor<1x128xf32>
    %logits = tern.linear %x, %table {tern.arena_offsets = array<i64: 512>, tern.scratch_offset = 1536 : i64} : (tensor<1x128xf32>, !head) -> tensor<1x8xf32>
    return %logits : tensor<1x8xf32>
  }
  func.func @prefill(%tokens: tensor<2xi32>, %pos: index, %cache: !cache) -> tensor<2x8xf32> attributes {tern.arena_size = 2048 : i64} {
    %table = tern.weight "token_embd.weight" {tern.weight_offset = 4096 : i64, tern.row_scales_offset = 5120 : i64} : !head
    %x = tern.embed %table, %tokens {tern.arena_offsets = array<i64: 0>} : (!head, tensor<2xi32>) -> tensor<2x128xf32>
    %logits = tern.linear %x, %table {tern.arena_offsets = array<i64: 1024>, tern.scratch_offset = 1536 : i64} : (tensor<2x128xf32>, !head) -> tensor<2x8xf32>
    return %logits : tensor<2x8xf32>
  }
}

// -----

// A row-scaled weight needs the offset of its row scales too.
!head = tensor<8x128xi8, #tern.row_scaled>
!cache = !tern.kv_cache<layers 1, capacity 16, kv_heads 1, head_dim 128, f16>
module {
  func.func @decode(%tokens: tensor<1xi32>, %pos: index, %cache: !cache) -> tensor<1x128xf32> attributes {tern.arena_size = 1024 : i64} {
    // expected-error @+1 {{weight 'token_embd.weight' has no tern.row_scales_offset: run tern-plan-weights first}}
    %table = tern.weight "token_embd.weight" {tern.weight_offset = 4096 : i64} : !head
    %x = tern.embed %table, %tokens {tern.arena_offsets = array<i64: 0>} : (!head, tensor<1xi32>) -> tensor<1x128xf32>
    return %x : tensor<1x128xf32>
  }
  func.func @prefill(%tokens: tensor<2xi32>, %pos: index, %cache: !cache) -> tensor<2x128xf32> attributes {tern.arena_size = 4096 : i64} {
    %table = tern.weight "token_embd.weight" {tern.weight_offset = 4096 : i64, tern.row_scales_offset = 5120 : i64} : !head
    %x = tern.embed %table, %tokens {tern.arena_offsets = array<i64: 0>} : (!head, tensor<2xi32>) -> tensor<2x128xf32>
    return %x : tensor<2x128xf32>
  }
}

// -----

// Q8_K matmuls (--numerics=llama.cpp) call the _q8k entries on the same
// scratch: int8 rows, then the block scales one cache line on.
// CHECK-LABEL: func.func @tern_model_decode
// CHECK: %[[C2048:.+]] = arith.constant 2048 : i64
// CHECK: %[[Q:.+]] = llvm.getelementptr %{{.+}}[%[[C2048]]]
// CHECK: %[[C256:.+]] = arith.constant 256 : i64
// CHECK: %[[S:.+]] = llvm.getelementptr %[[Q]][%[[C256]]]
// CHECK: call @tern_exec_rms_norm_quantize_q8k(%{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %[[Q]], %[[S]])
// CHECK: call @tern_exec_bitlinear_i2s_q8k(%{{.+}}, %[[Q]], %[[S]], %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}) : (!llvm.ptr, !llvm.ptr, !llvm.ptr, i64, i64, i64, !llvm.ptr) -> ()
// CHECK: call @tern_exec_quantize_rows_q8k(%{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %[[Q2:[0-9a-z_]+]], %[[S2:[0-9a-z_]+]])
// CHECK: call @tern_exec_bitlinear_i2s_q8k(%{{.+}}, %[[Q2]], %[[S2]],
// CHECK-NOT: _i8(

!w = tensor<256x256xi2, #tern.ternary<i2_s, scale = 0.5>>
!cache = !tern.kv_cache<layers 1, capacity 16, kv_heads 1, head_dim 128, f16>
module {
  func.func @decode(%tokens: tensor<1xi32>, %pos: index, %cache: !cache) -> tensor<1x8xf32> attributes {tern.arena_size = 4096 : i64} {
    %table = tern.weight "token_embd.weight" {tern.weight_offset = 0 : i64} : tensor<8x256xf16>
    %x = tern.embed %table, %tokens {tern.arena_offsets = array<i64: 0>} : (tensor<8x256xf16>, tensor<1xi32>) -> tensor<1x256xf32>
    %g = tern.weight "g" {tern.weight_offset = 4096 : i64} : tensor<256xf32>
    %w = tern.weight "w" {tern.weight_offset = 8192 : i64} : !w
    %q = tern.rms_norm_bitlinear %x, %g, %w {activations = #tern<activations q8_k>, epsilon = 1.0e-05 : f32, tern.arena_offsets = array<i64: 1024>, tern.scratch_offset = 2048 : i64} : (tensor<1x256xf32>, tensor<256xf32>, !w) -> tensor<1x256xf32>
    %y = tern.bitlinear %q, %w {activations = #tern<activations q8_k>, tern.arena_offsets = array<i64: 0>, tern.scratch_offset = 2048 : i64} : (tensor<1x256xf32>, !w) -> tensor<1x256xf32>
    %logits = tern.linear %y, %table {tern.arena_offsets = array<i64: 1024>} : (tensor<1x256xf32>, tensor<8x256xf16>) -> tensor<1x8xf32>
    return %logits : tensor<1x8xf32>
  }
  func.func @prefill(%tokens: tensor<2xi32>, %pos: index, %cache: !cache) -> tensor<2x8xf32> attributes {tern.arena_size = 4096 : i64} {
    %table = tern.weight "token_embd.weight" {tern.weight_offset = 0 : i64} : tensor<8x256xf16>
    %x = tern.embed %table, %tokens {tern.arena_offsets = array<i64: 0>} : (tensor<8x256xf16>, tensor<2xi32>) -> tensor<2x256xf32>
    %logits = tern.linear %x, %table {tern.arena_offsets = array<i64: 2048>} : (tensor<2x256xf32>, tensor<8x256xf16>) -> tensor<2x8xf32>
    return %logits : tensor<2x8xf32>
  }
}
