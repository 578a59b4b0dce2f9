// RUN: tern-opt %s --split-input-file --verify-diagnostics --tern-select-weight-layout | FileCheck %s
// RUN: tern-opt %s --split-input-file --verify-diagnostics --tern-select-weight-layout=layout=tq2_0 | FileCheck %s --check-prefix=TQ2
// RUN: tern-opt %s --split-input-file --verify-diagnostics --tern-select-weight-layout=f16-row-interleave=8 | FileCheck %s --check-prefix=INTERLEAVE
// RUN: not tern-opt %s --split-input-file --tern-select-weight-layout=f16-row-interleave=-3 2>&1 | FileCheck %s --check-prefix=BADGROUP
// BADGROUP: error: tern-select-weight-layout: f16-row-interleave -3 must be at least 1
// RUN: tern-opt %s --split-input-file --verify-diagnostics --tern-select-weight-layout=ternary-row-interleave=8 | FileCheck %s --check-prefix=TERNARY
// RUN: not tern-opt %s --split-input-file --tern-select-weight-layout='layout=tq2_0 ternary-row-interleave=8' 2>&1 | FileCheck %s --check-prefix=NOTI2S
// NOTI2S: error: tern-select-weight-layout: ternary-row-interleave applies to the i2_s layout only, not 'tq2_0'
// RUN: not tern-opt %s --split-input-file --tern-select-weight-layout=ternary-row-interleave=0 2>&1 | FileCheck %s --check-prefix=BADTERNARY
// BADTERNARY: error: tern-select-weight-layout: ternary-row-interleave 0 must be at least 1

// Every ternary storage becomes the backend's layout with the same shape
// and scale, and the users see the new type; float tables read through
// another encoding (storage = "Q8_0") are written as plain f32.
// CHECK-LABEL: func.func @layouts
// CHECK: tern.weight "a" : tensor<4x128xi2, #tern.ternary<i2_s, scale = 0.5>>
// CHECK: tern.weight "b" : tensor<4x128xi2, #tern.ternary<i2_s, scale = 0.25>>
// CHECK: tern.weight "c" : tensor<4x128xi2, #tern.ternary<i2_s, scale = 0.125>>
// CHECK: tern.weight "e" : tensor<8x128xf32>
// CHECK-NOT: storage
// CHECK: tern.bitlinear %{{.+}}, %{{.+}} : (tensor<1x128xf32>, tensor<4x128xi2, #tern.ternary<i2_s, scale = 0.25>>)
// TQ2-LABEL: func.func @layouts
// TQ2: tern.weight "a" : tensor<4x128xi2, #tern.ternary<tq2_0, scale = 0.5>>
// TQ2: tern.weight "b" : tensor<4x128xi2, #tern.ternary<tq2_0, scale = 0.25>>
// TQ2: tern.weight "c" : tensor<4x128xi2, #tern.ternary<tq2_0, scale = 0.125>>
func.func @layouts(%x: tensor<1x128xf32>) -> tensor<1x4xf32> {
  %a = tern.weight "a" : tensor<4x128xi2, #tern.ternary<i2_s, scale = 0.5>>
  %b = tern.weight "b" : tensor<4x128xi2, #tern.ternary<tq1_0, scale = 0.25>>
  %c = tern.weight "c" : tensor<4x128xi2, #tern.ternary<f16, scale = 0.125>>
  %e = tern.weight "e" {storage = "Q8_0"} : tensor<8x128xf32>
  %y = tern.bitlinear %x, %b : (tensor<1x128xf32>, tensor<4x128xi2, #tern.ternary<tq1_0, scale = 0.25>>) -> tensor<1x4xf32>
  return %y : tensor<1x4xf32>
}

// -----

// No kernel multiplies by a bf16 matrix: the weight is named.
func.func @bf16(%x: tensor<1x128xf32>) -> tensor<1x8xf32> {
  // expected-error @+1 {{weight 'output.weight' is bf16, which no kernel reads}}
  %w = tern.weight "output.weight" : tensor<8x128xbf16>
  %y = tern.linear %x, %w : (tensor<1x128xf32>, tensor<8x128xbf16>) -> tensor<1x8xf32>
  return %y : tensor<1x8xf32>
}

// -----

// With f16-row-interleave, f16 matrices are marked for the packer to store
// in groups of rows; f32 ones and ternary weights are not.
// INTERLEAVE-LABEL: func.func @interleave
// INTERLEAVE: tern.weight "token_embd.weight" {tern.row_interleave = 8 : i64} : tensor<16x128xf16>
// INTERLEAVE: tern.weight "output.weight" : tensor<16x128xf32>
// INTERLEAVE: tern.weight "w" : tensor<4x128xi2, #tern.ternary<i2_s, scale = 0.5>>
// With ternary-row-interleave, the ternary weights (now i2_s) are marked
// instead; the f16 matrix is not.
// TERNARY-LABEL: func.func @interleave
// TERNARY: tern.weight "token_embd.weight" : tensor<16x128xf16>
// TERNARY: tern.weight "w" {tern.row_interleave = 8 : i64} : tensor<4x128xi2, #tern.ternary<i2_s, scale = 0.5>>
// CHECK-LABEL: func.func @interleave
// CHECK-NOT: row_interleave
func.func @interleave(%x: tensor<1x128xf32>) -> tensor<1x16xf32> {
  %e = tern.weight "token_embd.weight" : tensor<16x128xf16>
  %o = tern.weight "output.weight" : tensor<16x128xf32>
  %w = tern.weight "w" : tensor<4x128xi2, #tern.ternary<i2_s, scale = 0.5>>
  %y = tern.linear %x, %e : (tensor<1x128xf32>, tensor<16x128xf16>) -> tensor<1x16xf32>
  return %y : tensor<1x16xf32>
}
