// RUN: tern-opt %s --split-input-file --tern-fuse-parallel-bitlinear | FileCheck %s

// q, k and v read one input: one bitlinear over the three weights (their
// rows concatenated), one result each in the original order; the weights
// defined between the matmuls move before it.
// CHECK-LABEL: func.func @qkv
// CHECK-SAME: (%[[X:.+]]: tensor<2x8xf32>)
// CHECK: %[[WQ:.+]] = tern.weight "q"
// CHECK-NEXT: %[[WK:.+]] = tern.weight "k"
// CHECK-NEXT: %[[WV:.+]] = tern.weight "v"
// CHECK-NEXT: %[[M:.+]]:3 = tern.bitlinear %[[X]], %[[WQ]], %[[WK]], %[[WV]] : (tensor<2x8xf32>, tensor<8x8xi2, #tern.ternary<i2_s, scale = 1.0>>, tensor<4x8xi2, #tern.ternary<i2_s, scale = 2.0>>, tensor<4x8xi2, #tern.ternary<i2_s, scale = 3.0>>) -> (tensor<2x8xf32>, tensor<2x4xf32>, tensor<2x4xf32>)
// CHECK-NOT: tern.bitlinear
// CHECK: return %[[M]]#0, %[[M]]#1, %[[M]]#2
func.func @qkv(%x: tensor<2x8xf32>) -> (tensor<2x8xf32>, tensor<2x4xf32>, tensor<2x4xf32>) {
  %wq = tern.weight "q" : tensor<8x8xi2, #tern.ternary<i2_s, scale = 1.0>>
  %q = tern.bitlinear %x, %wq : (tensor<2x8xf32>, tensor<8x8xi2, #tern.ternary<i2_s, scale = 1.0>>) -> tensor<2x8xf32>
  %wk = tern.weight "k" : tensor<4x8xi2, #tern.ternary<i2_s, scale = 2.0>>
  %k = tern.bitlinear %x, %wk : (tensor<2x8xf32>, tensor<4x8xi2, #tern.ternary<i2_s, scale = 2.0>>) -> tensor<2x4xf32>
  %wv = tern.weight "v" : tensor<4x8xi2, #tern.ternary<i2_s, scale = 3.0>>
  %v = tern.bitlinear %x, %wv : (tensor<2x8xf32>, tensor<4x8xi2, #tern.ternary<i2_s, scale = 3.0>>) -> tensor<2x4xf32>
  return %q, %k, %v : tensor<2x8xf32>, tensor<2x4xf32>, tensor<2x4xf32>
}

// -----

// Other readers of the input do not matter (the input is f32 anyway); a
// matmul of another input stays on its own.
// CHECK-LABEL: func.func @gate_up
// CHECK: %[[M:.+]]:2 = tern.bitlinear %[[X:.+]], %{{.+}}, %{{.+}} : {{.*}} -> (tensor<1x16xf32>, tensor<1x16xf32>)
// CHECK: tern.relu2_mul %[[M]]#0, %[[M]]#1
// CHECK: tern.add %[[X]], %[[X]]
// CHECK: tern.bitlinear %{{.+}}, %{{.+}} : (tensor<1x8xf32>, tensor<16x8xi2, #tern.ternary<i2_s, scale = 4.0>>) -> tensor<1x16xf32>
func.func @gate_up(%x: tensor<1x8xf32>, %y: tensor<1x8xf32>) -> (tensor<1x16xf32>, tensor<1x8xf32>, tensor<1x16xf32>) {
  %wg = tern.weight "gate" : tensor<16x8xi2, #tern.ternary<i2_s, scale = 1.0>>
  %wu = tern.weight "up" : tensor<16x8xi2, #tern.ternary<i2_s, scale = 2.0>>
  %g = tern.bitlinear %x, %wg : (tensor<1x8xf32>, tensor<16x8xi2, #tern.ternary<i2_s, scale = 1.0>>) -> tensor<1x16xf32>
  %u = tern.bitlinear %x, %wu : (tensor<1x8xf32>, tensor<16x8xi2, #tern.ternary<i2_s, scale = 2.0>>) -> tensor<1x16xf32>
  %f = tern.relu2_mul %g, %u : (tensor<1x16xf32>, tensor<1x16xf32>) -> tensor<1x16xf32>
  %s = tern.add %x, %x : (tensor<1x8xf32>, tensor<1x8xf32>) -> tensor<1x8xf32>
  %wo = tern.weight "other" : tensor<16x8xi2, #tern.ternary<i2_s, scale = 4.0>>
  %o = tern.bitlinear %y, %wo : (tensor<1x8xf32>, tensor<16x8xi2, #tern.ternary<i2_s, scale = 4.0>>) -> tensor<1x16xf32>
  return %f, %s, %o : tensor<1x16xf32>, tensor<1x8xf32>, tensor<1x16xf32>
}

// -----

// A single matmul is left as it is.
// CHECK-LABEL: func.func @single
// CHECK: %[[Y:.+]] = tern.bitlinear %{{.+}}, %{{.+}} : (tensor<1x8xf32>, tensor<16x8xi2, #tern.ternary<tq2_0, scale = 0.5>>) -> tensor<1x16xf32>
// CHECK-NEXT: return %[[Y]]
func.func @single(%x: tensor<1x8xf32>) -> tensor<1x16xf32> {
  %w = tern.weight "down" : tensor<16x8xi2, #tern.ternary<tq2_0, scale = 0.5>>
  %y = tern.bitlinear %x, %w : (tensor<1x8xf32>, tensor<16x8xi2, #tern.ternary<tq2_0, scale = 0.5>>) -> tensor<1x16xf32>
  return %y : tensor<1x16xf32>
}

// -----

// Q8_K matmuls of one input merge into a Q8_K matmul; with a per-token one
// among them nothing merges.
// CHECK-LABEL: func.func @q8k
// CHECK: %{{.+}}:2 = tern.bitlinear %{{.+}}, %{{.+}}, %{{.+}} {activations = #tern<activations q8_k>}
// CHECK: tern.bitlinear %[[Y:.+]], %{{.+}} {activations = #tern<activations q8_k>}
// CHECK: tern.bitlinear %[[Y]], %{{.+}} :
func.func @q8k(%x: tensor<1x256xf32>, %y: tensor<1x256xf32>) -> (tensor<1x8xf32>, tensor<1x8xf32>, tensor<1x8xf32>, tensor<1x8xf32>) {
  %w = tern.weight "w" : tensor<8x256xi2, #tern.ternary<tq1_0, scale = 0.5>>
  %a = tern.bitlinear %x, %w {activations = #tern<activations q8_k>} : (tensor<1x256xf32>, tensor<8x256xi2, #tern.ternary<tq1_0, scale = 0.5>>) -> tensor<1x8xf32>
  %b = tern.bitlinear %x, %w {activations = #tern<activations q8_k>} : (tensor<1x256xf32>, tensor<8x256xi2, #tern.ternary<tq1_0, scale = 0.5>>) -> tensor<1x8xf32>
  %c = tern.bitlinear %y, %w {activations = #tern<activations q8_k>} : (tensor<1x256xf32>, tensor<8x256xi2, #tern.ternary<tq1_0, scale = 0.5>>) -> tensor<1x8xf32>
  %d = tern.bitlinear %y, %w : (tensor<1x256xf32>, tensor<8x256xi2, #tern.ternary<tq1_0, scale = 0.5>>) -> tensor<1x8xf32>
  return %a, %b, %c, %d : tensor<1x8xf32>, tensor<1x8xf32>, tensor<1x8xf32>, tensor<1x8xf32>
}
