// RUN: tern-opt %s --split-input-file --tern-fuse-gated-mul | FileCheck %s

// CHECK-LABEL: func.func @gate_first
// CHECK-SAME: (%[[G:.+]]: tensor<1x16xf32>, %[[U:.+]]: tensor<1x16xf32>)
// CHECK-NEXT: %[[F:.+]] = tern.relu2_mul %[[G]], %[[U]] : (tensor<1x16xf32>, tensor<1x16xf32>) -> tensor<1x16xf32>
// CHECK-NEXT: return %[[F]]
func.func @gate_first(%gate: tensor<1x16xf32>, %up: tensor<1x16xf32>) -> tensor<1x16xf32> {
  %r = tern.relu2 %gate : tensor<1x16xf32>
  %m = tern.mul %r, %up : (tensor<1x16xf32>, tensor<1x16xf32>) -> tensor<1x16xf32>
  return %m : tensor<1x16xf32>
}

// -----

// The product commutes: the relu2 may be the right operand.
// CHECK-LABEL: func.func @gate_second
// CHECK-SAME: (%[[G:.+]]: tensor<1x16xf32>, %[[U:.+]]: tensor<1x16xf32>)
// CHECK-NEXT: tern.relu2_mul %[[G]], %[[U]]
func.func @gate_second(%gate: tensor<1x16xf32>, %up: tensor<1x16xf32>) -> tensor<1x16xf32> {
  %r = tern.relu2 %gate : tensor<1x16xf32>
  %m = tern.mul %up, %r : (tensor<1x16xf32>, tensor<1x16xf32>) -> tensor<1x16xf32>
  return %m : tensor<1x16xf32>
}

// -----

// The squared gate is needed elsewhere too: no fusion.
// CHECK-LABEL: func.func @shared
// CHECK: tern.relu2 %
// CHECK: tern.mul
// CHECK-NOT: tern.relu2_mul
func.func @shared(%gate: tensor<1x16xf32>, %up: tensor<1x16xf32>) -> (tensor<1x16xf32>, tensor<1x16xf32>) {
  %r = tern.relu2 %gate : tensor<1x16xf32>
  %m = tern.mul %r, %up : (tensor<1x16xf32>, tensor<1x16xf32>) -> tensor<1x16xf32>
  return %m, %r : tensor<1x16xf32>, tensor<1x16xf32>
}

// -----

// SiLU gating (bitnet, llama) fuses the same way, into its own op.
// CHECK-LABEL: func.func @silu
// CHECK-SAME: (%[[G:.+]]: tensor<1x16xf32>, %[[U:.+]]: tensor<1x16xf32>)
// CHECK-NEXT: %[[F:.+]] = tern.silu_mul %[[G]], %[[U]] : (tensor<1x16xf32>, tensor<1x16xf32>) -> tensor<1x16xf32>
// CHECK-NEXT: return %[[F]]
func.func @silu(%gate: tensor<1x16xf32>, %up: tensor<1x16xf32>) -> tensor<1x16xf32> {
  %s = tern.silu %gate : tensor<1x16xf32>
  %m = tern.mul %s, %up : (tensor<1x16xf32>, tensor<1x16xf32>) -> tensor<1x16xf32>
  return %m : tensor<1x16xf32>
}

// -----

// A shared SiLU stays unfused too.
// CHECK-LABEL: func.func @shared_silu
// CHECK: tern.silu %
// CHECK: tern.mul
// CHECK-NOT: tern.silu_mul
func.func @shared_silu(%gate: tensor<1x16xf32>, %up: tensor<1x16xf32>) -> (tensor<1x16xf32>, tensor<1x16xf32>) {
  %s = tern.silu %gate : tensor<1x16xf32>
  %m = tern.mul %up, %s : (tensor<1x16xf32>, tensor<1x16xf32>) -> tensor<1x16xf32>
  return %m, %s : tensor<1x16xf32>, tensor<1x16xf32>
}
