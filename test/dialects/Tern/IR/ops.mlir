// Every tern op and type parses, verifies and prints back in the same form;
// the printed form parses again to the same text (round trip).
// RUN: tern-opt %s | FileCheck %s
// RUN: tern-opt %s | tern-opt | FileCheck %s
// RUN: tern-opt %s --mlir-print-op-generic | tern-opt | FileCheck %s

!cache = !tern.kv_cache<layers 2, capacity 64, kv_heads 2, head_dim 4, f16>

// CHECK-LABEL: func.func @layer
func.func @layer(%tokens: tensor<3xi32>, %pos: index, %cache: !cache) -> tensor<3x32xf32> {
  // CHECK: %[[TABLE:.+]] = tern.weight "token_embd.weight" {storage = "Q8_0"} : tensor<32x16xf32>
  %table = tern.weight "token_embd.weight" {storage = "Q8_0"} : tensor<32x16xf32>
  // CHECK: %[[X:.+]] = tern.embed %[[TABLE]], %{{.+}} : (tensor<32x16xf32>, tensor<3xi32>) -> tensor<3x16xf32>
  %x = tern.embed %table, %tokens : (tensor<32x16xf32>, tensor<3xi32>) -> tensor<3x16xf32>
  // CHECK: %[[G:.+]] = tern.weight "blk.0.attn_norm.weight" : tensor<16xf32>
  %g = tern.weight "blk.0.attn_norm.weight" : tensor<16xf32>
  // CHECK: tern.rms_norm %[[X]], %[[G]] {epsilon = 9.99999974E-6 : f32} : (tensor<3x16xf32>, tensor<16xf32>) -> tensor<3x16xf32>
  %h = tern.rms_norm %x, %g {epsilon = 1.0e-05 : f32} : (tensor<3x16xf32>, tensor<16xf32>) -> tensor<3x16xf32>
  // CHECK: tern.weight "blk.0.attn_q.weight" : tensor<16x16xi2, #tern.ternary<i2_s, scale = 0.037>>
  %wq = tern.weight "blk.0.attn_q.weight" : tensor<16x16xi2, #tern.ternary<i2_s, scale = 0.037>>
  %wk = tern.weight "blk.0.attn_k.weight" : tensor<8x16xi2, #tern.ternary<tq1_0, scale = 0.5>>
  %wv = tern.weight "blk.0.attn_v.weight" : tensor<8x16xi2, #tern.ternary<tq2_0, scale = 1.0>>
  // CHECK: tern.bitlinear %{{.+}}, %{{.+}} : (tensor<3x16xf32>, tensor<16x16xi2, #tern.ternary<i2_s, scale = 0.037>>) -> tensor<3x16xf32>
  %q = tern.bitlinear %h, %wq : (tensor<3x16xf32>, tensor<16x16xi2, #tern.ternary<i2_s, scale = 0.037>>) -> tensor<3x16xf32>
  // CHECK: tern.rms_norm_bitlinear %[[X]], %[[G]], %{{.+}} {epsilon = 9.99999974E-6 : f32} : (tensor<3x16xf32>, tensor<16xf32>, tensor<8x16xi2, #tern.ternary<tq1_0, scale = 0.5>>) -> tensor<3x8xf32>
  %k = tern.rms_norm_bitlinear %x, %g, %wk {epsilon = 1.0e-05 : f32} : (tensor<3x16xf32>, tensor<16xf32>, tensor<8x16xi2, #tern.ternary<tq1_0, scale = 0.5>>) -> tensor<3x8xf32>
  %v = tern.bitlinear %h, %wv : (tensor<3x16xf32>, tensor<8x16xi2, #tern.ternary<tq2_0, scale = 1.0>>) -> tensor<3x8xf32>
  // One norm shared by several matmuls.
  // CHECK: %{{.+}}:2 = tern.rms_norm_bitlinear %[[X]], %[[G]], %{{.+}}, %{{.+}} {epsilon = 9.99999974E-6 : f32} : (tensor<3x16xf32>, tensor<16xf32>, tensor<16x16xi2, #tern.ternary<i2_s, scale = 0.037>>, tensor<8x16xi2, #tern.ternary<tq2_0, scale = 1.0>>) -> (tensor<3x16xf32>, tensor<3x8xf32>)
  %qv:2 = tern.rms_norm_bitlinear %x, %g, %wq, %wv {epsilon = 1.0e-05 : f32} : (tensor<3x16xf32>, tensor<16xf32>, tensor<16x16xi2, #tern.ternary<i2_s, scale = 0.037>>, tensor<8x16xi2, #tern.ternary<tq2_0, scale = 1.0>>) -> (tensor<3x16xf32>, tensor<3x8xf32>)
  // CHECK: tern.rope neox %{{.+}}, %{{.+}} {base = 5.000000e+05 : f32, dims = 4 : i64, head_dim = 4 : i64} : (tensor<3x16xf32>, index) -> tensor<3x16xf32>
  %qr = tern.rope neox %q, %pos {base = 5.0e+05 : f32, dims = 4, head_dim = 4} : (tensor<3x16xf32>, index) -> tensor<3x16xf32>
  // CHECK: tern.rope norm %{{.+}}, %{{.+}} {base = 1.000000e+04 : f32, dims = 2 : i64, head_dim = 4 : i64}
  %kr = tern.rope norm %k, %pos {base = 1.0e+04 : f32, dims = 2, head_dim = 4} : (tensor<3x8xf32>, index) -> tensor<3x8xf32>
  // CHECK: tern.attention %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}} {layer = 1 : i64} : (tensor<3x16xf32>, tensor<3x8xf32>, tensor<3x8xf32>, !tern.kv_cache<layers 2, capacity 64, kv_heads 2, head_dim 4, f16>, index) -> tensor<3x16xf32>
  %a = tern.attention %qr, %kr, %v, %cache, %pos {layer = 1} : (tensor<3x16xf32>, tensor<3x8xf32>, tensor<3x8xf32>, !cache, index) -> tensor<3x16xf32>
  %wf = tern.weight "blk.0.ffn_up.weight" : tensor<32x16xi2, #tern.ternary<f16, scale = 2.0>>
  %u = tern.bitlinear %a, %wf : (tensor<3x16xf32>, tensor<32x16xi2, #tern.ternary<f16, scale = 2.0>>) -> tensor<3x32xf32>
  // One matmul over two weights' rows: a result per weight.
  // CHECK: %{{.+}}:2 = tern.bitlinear %{{.+}}, %{{.+}}, %{{.+}} : (tensor<3x16xf32>, tensor<32x16xi2, #tern.ternary<f16, scale = 2.0>>, tensor<16x16xi2, #tern.ternary<i2_s, scale = 0.037>>) -> (tensor<3x32xf32>, tensor<3x16xf32>)
  %uq:2 = tern.bitlinear %a, %wf, %wq : (tensor<3x16xf32>, tensor<32x16xi2, #tern.ternary<f16, scale = 2.0>>, tensor<16x16xi2, #tern.ternary<i2_s, scale = 0.037>>) -> (tensor<3x32xf32>, tensor<3x16xf32>)
  // CHECK: tern.relu2 %{{.+}} : tensor<3x32xf32>
  %r = tern.relu2 %u : tensor<3x32xf32>
  // CHECK: tern.silu %{{.+}} : tensor<3x32xf32>
  %s = tern.silu %r : tensor<3x32xf32>
  // CHECK: tern.mul %{{.+}}, %{{.+}} : (tensor<3x32xf32>, tensor<3x32xf32>) -> tensor<3x32xf32>
  %m = tern.mul %s, %u : (tensor<3x32xf32>, tensor<3x32xf32>) -> tensor<3x32xf32>
  // CHECK: tern.relu2_mul %{{.+}}, %{{.+}} : (tensor<3x32xf32>, tensor<3x32xf32>) -> tensor<3x32xf32>
  %rm = tern.relu2_mul %u, %s : (tensor<3x32xf32>, tensor<3x32xf32>) -> tensor<3x32xf32>
  // CHECK: tern.silu_mul %{{.+}}, %{{.+}} : (tensor<3x32xf32>, tensor<3x32xf32>) -> tensor<3x32xf32>
  %sm = tern.silu_mul %u, %s : (tensor<3x32xf32>, tensor<3x32xf32>) -> tensor<3x32xf32>
  // CHECK: tern.add %{{.+}}, %{{.+}} : (tensor<3x32xf32>, tensor<3x32xf32>) -> tensor<3x32xf32>
  %y = tern.add %m, %rm : (tensor<3x32xf32>, tensor<3x32xf32>) -> tensor<3x32xf32>
  return %y : tensor<3x32xf32>
}

// CHECK-LABEL: func.func @head
func.func @head(%x: tensor<1x16xf32>) -> tensor<1x32xf32> {
  // CHECK: tern.weight "output.weight" : tensor<32x16xf16>
  %w = tern.weight "output.weight" : tensor<32x16xf16>
  // CHECK: tern.linear %{{.+}}, %{{.+}} : (tensor<1x16xf32>, tensor<32x16xf16>) -> tensor<1x32xf32>
  %l = tern.linear %x, %w : (tensor<1x16xf32>, tensor<32x16xf16>) -> tensor<1x32xf32>
  // CHECK: tensor<4x8xi2, #tern.ternary<bf16, scale = 0.0>>
  %z = tern.weight "zero.weight" : tensor<4x8xi2, #tern.ternary<bf16, scale = 0.0>>
  // CHECK: tensor<4x8xi2, #tern.ternary<f32, scale = 1.1754944e-38>>
  %t = tern.weight "tiny.weight" : tensor<4x8xi2, #tern.ternary<f32, scale = 1.17549435e-38>>
  return %l : tensor<1x32xf32>
}

// An int8 LM head with one scale per row, also read as the embedding.
// CHECK-LABEL: func.func @row_scaled_head
func.func @row_scaled_head(%tokens: tensor<2xi32>) -> tensor<2x32xf32> {
  // CHECK: tern.weight "token_embd.weight" : tensor<32x16xi8, #tern.row_scaled>
  %w = tern.weight "token_embd.weight" : tensor<32x16xi8, #tern.row_scaled>
  // CHECK: tern.embed %{{.+}}, %{{.+}} : (tensor<32x16xi8, #tern.row_scaled>, tensor<2xi32>) -> tensor<2x16xf32>
  %x = tern.embed %w, %tokens : (tensor<32x16xi8, #tern.row_scaled>, tensor<2xi32>) -> tensor<2x16xf32>
  // CHECK: tern.linear %{{.+}}, %{{.+}} : (tensor<2x16xf32>, tensor<32x16xi8, #tern.row_scaled>) -> tensor<2x32xf32>
  %l = tern.linear %x, %w : (tensor<2x16xf32>, tensor<32x16xi8, #tern.row_scaled>) -> tensor<2x32xf32>
  return %l : tensor<2x32xf32>
}

// A 4-bit LM head (groups of 32 columns with 8-bit sub-scales).
// CHECK-LABEL: func.func @q4_head
func.func @q4_head(%tokens: tensor<2xi32>) -> tensor<2x32xf32> {
  // CHECK: tern.weight "token_embd.weight" : tensor<32x64xi4, #tern.row_scaled>
  %w = tern.weight "token_embd.weight" : tensor<32x64xi4, #tern.row_scaled>
  // CHECK: tern.embed %{{.+}}, %{{.+}} : (tensor<32x64xi4, #tern.row_scaled>, tensor<2xi32>) -> tensor<2x64xf32>
  %x = tern.embed %w, %tokens : (tensor<32x64xi4, #tern.row_scaled>, tensor<2xi32>) -> tensor<2x64xf32>
  // CHECK: tern.linear %{{.+}}, %{{.+}} : (tensor<2x64xf32>, tensor<32x64xi4, #tern.row_scaled>) -> tensor<2x32xf32>
  %l = tern.linear %x, %w : (tensor<2x64xf32>, tensor<32x64xi4, #tern.row_scaled>) -> tensor<2x32xf32>
  return %l : tensor<2x32xf32>
}

// llama.cpp's numerics: activations in Q8_K blocks of 256. The default
// (per_token) is not printed.
// CHECK-LABEL: func.func @q8k_activations
func.func @q8k_activations(%x: tensor<2x256xf32>) -> (tensor<2x8xf32>, tensor<2x8xf32>, tensor<2x8xf32>) {
  %g = tern.weight "blk.0.attn_norm.weight" : tensor<256xf32>
  %w = tern.weight "blk.0.attn_q.weight" : tensor<8x256xi2, #tern.ternary<tq2_0, scale = 0.5>>
  // CHECK: tern.bitlinear %{{.+}}, %{{.+}} {activations = #tern<activations q8_k>} : (tensor<2x256xf32>, tensor<8x256xi2, #tern.ternary<tq2_0, scale = 0.5>>) -> tensor<2x8xf32>
  %a = tern.bitlinear %x, %w {activations = #tern<activations q8_k>} : (tensor<2x256xf32>, tensor<8x256xi2, #tern.ternary<tq2_0, scale = 0.5>>) -> tensor<2x8xf32>
  // CHECK: tern.rms_norm_bitlinear %{{.+}}, %{{.+}}, %{{.+}} {activations = #tern<activations q8_k>, epsilon = 9.99999974E-6 : f32}
  %b = tern.rms_norm_bitlinear %x, %g, %w {activations = #tern<activations q8_k>, epsilon = 1.0e-05 : f32} : (tensor<2x256xf32>, tensor<256xf32>, tensor<8x256xi2, #tern.ternary<tq2_0, scale = 0.5>>) -> tensor<2x8xf32>
  // CHECK: tern.bitlinear %{{.+}}, %{{.+}} : (tensor<2x256xf32>
  %c = tern.bitlinear %x, %w {activations = #tern<activations per_token>} : (tensor<2x256xf32>, tensor<8x256xi2, #tern.ternary<tq2_0, scale = 0.5>>) -> tensor<2x8xf32>
  return %a, %b, %c : tensor<2x8xf32>, tensor<2x8xf32>, tensor<2x8xf32>
}
