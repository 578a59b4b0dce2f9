// RUN: tern-opt %s --split-input-file --tern-fuse-rmsnorm-bitlinear | FileCheck %s

// q, k and v read one norm: one fused op quantizes it once for all three;
// the weights defined between the matmuls move before it.
// CHECK-LABEL: func.func @qkv
// CHECK-SAME: (%[[X:.+]]: tensor<2x8xf32>)
// CHECK: %[[G:.+]] = tern.weight "attn_norm" : tensor<8xf32>
// CHECK-NEXT: %[[WQ:.+]] = tern.weight "q"
// CHECK-NEXT: %[[WK:.+]] = tern.weight "k"
// CHECK-NEXT: %[[WV:.+]] = tern.weight "v"
// CHECK-NEXT: %[[F:.+]]:3 = tern.rms_norm_bitlinear %[[X]], %[[G]], %[[WQ]], %[[WK]], %[[WV]] {epsilon = 9.99999974E-6 : f32} : (tensor<2x8xf32>, tensor<8xf32>, tensor<8x8xi2, #tern.ternary<i2_s, scale = 1.0>>, tensor<4x8xi2, #tern.ternary<i2_s, scale = 2.0>>, tensor<4x8xi2, #tern.ternary<i2_s, scale = 3.0>>) -> (tensor<2x8xf32>, tensor<2x4xf32>, tensor<2x4xf32>)
// CHECK-NOT: tern.rms_norm %
// CHECK-NOT: tern.bitlinear
// CHECK: return %[[F]]#0, %[[F]]#1, %[[F]]#2
func.func @qkv(%x: tensor<2x8xf32>) -> (tensor<2x8xf32>, tensor<2x4xf32>, tensor<2x4xf32>) {
  %g = tern.weight "attn_norm" : tensor<8xf32>
  %h = tern.rms_norm %x, %g {epsilon = 1.0e-05 : f32} : (tensor<2x8xf32>, tensor<8xf32>) -> tensor<2x8xf32>
  %wq = tern.weight "q" : tensor<8x8xi2, #tern.ternary<i2_s, scale = 1.0>>
  %q = tern.bitlinear %h, %wq : (tensor<2x8xf32>, tensor<8x8xi2, #tern.ternary<i2_s, scale = 1.0>>) -> tensor<2x8xf32>
  %wk = tern.weight "k" : tensor<4x8xi2, #tern.ternary<i2_s, scale = 2.0>>
  %k = tern.bitlinear %h, %wk : (tensor<2x8xf32>, tensor<4x8xi2, #tern.ternary<i2_s, scale = 2.0>>) -> tensor<2x4xf32>
  %wv = tern.weight "v" : tensor<4x8xi2, #tern.ternary<i2_s, scale = 3.0>>
  %v = tern.bitlinear %h, %wv : (tensor<2x8xf32>, tensor<4x8xi2, #tern.ternary<i2_s, scale = 3.0>>) -> tensor<2x4xf32>
  return %q, %k, %v : tensor<2x8xf32>, tensor<2x4xf32>, tensor<2x4xf32>
}

// -----

// A single reader gives a single-weight fused op.
// CHECK-LABEL: func.func @single
// CHECK: %[[F:.+]] = tern.rms_norm_bitlinear %{{.+}}, %{{.+}}, %{{.+}} {epsilon = 9.99999974E-6 : f32} : (tensor<1x8xf32>, tensor<8xf32>, tensor<16x8xi2, #tern.ternary<tq2_0, scale = 0.5>>) -> tensor<1x16xf32>
// CHECK-NEXT: return %[[F]]
func.func @single(%x: tensor<1x8xf32>) -> tensor<1x16xf32> {
  %g = tern.weight "ffn_sub_norm" : tensor<8xf32>
  %h = tern.rms_norm %x, %g {epsilon = 1.0e-05 : f32} : (tensor<1x8xf32>, tensor<8xf32>) -> tensor<1x8xf32>
  %w = tern.weight "down" : tensor<16x8xi2, #tern.ternary<tq2_0, scale = 0.5>>
  %y = tern.bitlinear %h, %w : (tensor<1x8xf32>, tensor<16x8xi2, #tern.ternary<tq2_0, scale = 0.5>>) -> tensor<1x16xf32>
  return %y : tensor<1x16xf32>
}

// -----

// The normalized activations are also needed as f32 elsewhere: no fusion.
// CHECK-LABEL: func.func @other_use
// CHECK: %[[H:.+]] = tern.rms_norm
// CHECK: tern.bitlinear %[[H]]
// CHECK: tern.add %[[H]], %[[H]]
// CHECK-NOT: tern.rms_norm_bitlinear
func.func @other_use(%x: tensor<1x8xf32>) -> (tensor<1x8xf32>, tensor<1x8xf32>) {
  %g = tern.weight "norm" : tensor<8xf32>
  %h = tern.rms_norm %x, %g {epsilon = 1.0e-05 : f32} : (tensor<1x8xf32>, tensor<8xf32>) -> tensor<1x8xf32>
  %w = tern.weight "w" : tensor<8x8xi2, #tern.ternary<i2_s, scale = 1.0>>
  %y = tern.bitlinear %h, %w : (tensor<1x8xf32>, tensor<8x8xi2, #tern.ternary<i2_s, scale = 1.0>>) -> tensor<1x8xf32>
  %s = tern.add %h, %h : (tensor<1x8xf32>, tensor<1x8xf32>) -> tensor<1x8xf32>
  return %y, %s : tensor<1x8xf32>, tensor<1x8xf32>
}

// -----

// A norm nobody reads has no effect and is erased, not fused.
// CHECK-LABEL: func.func @unused
// CHECK-NOT: tern.rms_norm
// CHECK: return
func.func @unused(%x: tensor<1x8xf32>) {
  %g = tern.weight "norm" : tensor<8xf32>
  %h = tern.rms_norm %x, %g {epsilon = 1.0e-05 : f32} : (tensor<1x8xf32>, tensor<8xf32>) -> tensor<1x8xf32>
  return
}

// -----

// After tern-fuse-parallel-bitlinear the norm feeds one merged matmul: the
// fused op takes all its weights and results.
// CHECK-LABEL: func.func @merged
// CHECK: %[[F:.+]]:2 = tern.rms_norm_bitlinear %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}} {epsilon = 9.99999974E-6 : f32} : {{.*}} -> (tensor<1x16xf32>, tensor<1x16xf32>)
// CHECK-NEXT: return %[[F]]#0, %[[F]]#1
func.func @merged(%x: tensor<1x8xf32>) -> (tensor<1x16xf32>, tensor<1x16xf32>) {
  %g = tern.weight "ffn_norm" : tensor<8xf32>
  %h = tern.rms_norm %x, %g {epsilon = 1.0e-05 : f32} : (tensor<1x8xf32>, tensor<8xf32>) -> tensor<1x8xf32>
  %wg = tern.weight "gate" : tensor<16x8xi2, #tern.ternary<i2_s, scale = 1.0>>
  %wu = tern.weight "up" : tensor<16x8xi2, #tern.ternary<i2_s, scale = 2.0>>
  %m:2 = tern.bitlinear %h, %wg, %wu : (tensor<1x8xf32>, tensor<16x8xi2, #tern.ternary<i2_s, scale = 1.0>>, tensor<16x8xi2, #tern.ternary<i2_s, scale = 2.0>>) -> (tensor<1x16xf32>, tensor<1x16xf32>)
  return %m#0, %m#1 : tensor<1x16xf32>, tensor<1x16xf32>
}

// -----

// Q8_K matmuls (--numerics=llama.cpp) give a fused op that quantizes as they
// do; a norm read by matmuls that quantize differently is left alone (one
// quantization could not serve both).
// CHECK-LABEL: func.func @q8k
// CHECK: tern.rms_norm_bitlinear %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}} {activations = #tern<activations q8_k>, epsilon = 9.99999974E-6 : f32}
// CHECK: %[[H:.+]] = tern.rms_norm %
// CHECK: tern.bitlinear %[[H]], %{{.+}} {activations = #tern<activations q8_k>}
// CHECK: tern.bitlinear %[[H]], %{{.+}} :
func.func @q8k(%x: tensor<1x256xf32>) -> (tensor<1x8xf32>, tensor<1x8xf32>, tensor<1x8xf32>, tensor<1x8xf32>) {
  %g = tern.weight "attn_norm" : tensor<256xf32>
  %w = tern.weight "q" : tensor<8x256xi2, #tern.ternary<tq2_0, scale = 0.5>>
  %h = tern.rms_norm %x, %g {epsilon = 1.0e-05 : f32} : (tensor<1x256xf32>, tensor<256xf32>) -> tensor<1x256xf32>
  %a = tern.bitlinear %h, %w {activations = #tern<activations q8_k>} : (tensor<1x256xf32>, tensor<8x256xi2, #tern.ternary<tq2_0, scale = 0.5>>) -> tensor<1x8xf32>
  %b = tern.bitlinear %h, %w {activations = #tern<activations q8_k>} : (tensor<1x256xf32>, tensor<8x256xi2, #tern.ternary<tq2_0, scale = 0.5>>) -> tensor<1x8xf32>
  %h2 = tern.rms_norm %x, %g {epsilon = 1.0e-05 : f32} : (tensor<1x256xf32>, tensor<256xf32>) -> tensor<1x256xf32>
  %c = tern.bitlinear %h2, %w {activations = #tern<activations q8_k>} : (tensor<1x256xf32>, tensor<8x256xi2, #tern.ternary<tq2_0, scale = 0.5>>) -> tensor<1x8xf32>
  %d = tern.bitlinear %h2, %w : (tensor<1x256xf32>, tensor<8x256xi2, #tern.ternary<tq2_0, scale = 0.5>>) -> tensor<1x8xf32>
  return %a, %b, %c, %d : tensor<1x8xf32>, tensor<1x8xf32>, tensor<1x8xf32>, tensor<1x8xf32>
}
