// RUN: tern-opt %s --split-input-file --verify-diagnostics --tern-quantize-lm-head=format=q4 | FileCheck %s

// --lm-head=q4: the LM head's tensor becomes 4-bit row-scaled in every
// function, for the matmul and for the tied embedding reading the same
// tensor (one copy); the file's storage no longer applies.
// CHECK-LABEL: func.func @decode
// CHECK: %[[TABLE:.+]] = tern.weight "token_embd.weight" : tensor<16x96xi4, #tern.row_scaled>
// CHECK: tern.embed %[[TABLE]], %{{.+}} : (tensor<16x96xi4, #tern.row_scaled>, tensor<1xi32>) -> tensor<1x96xf32>
// CHECK: tern.weight "output_norm.weight" : tensor<96xf32>
// CHECK: tern.linear %{{.+}}, %[[TABLE]] : (tensor<1x96xf32>, tensor<16x96xi4, #tern.row_scaled>) -> tensor<1x16xf32>
// CHECK-LABEL: func.func @prefill
// CHECK: tern.weight "token_embd.weight" : tensor<16x96xi4, #tern.row_scaled>
// CHECK-NOT: storage
// CHECK: tern.linear
func.func @decode(%tokens: tensor<1xi32>) -> tensor<1x16xf32> {
  %table = tern.weight "token_embd.weight" : tensor<16x96xf16>
  %x = tern.embed %table, %tokens : (tensor<16x96xf16>, tensor<1xi32>) -> tensor<1x96xf32>
  %gamma = tern.weight "output_norm.weight" : tensor<96xf32>
  %h = tern.rms_norm %x, %gamma {epsilon = 1.0e-05 : f32} : (tensor<1x96xf32>, tensor<96xf32>) -> tensor<1x96xf32>
  %logits = tern.linear %h, %table : (tensor<1x96xf32>, tensor<16x96xf16>) -> tensor<1x16xf32>
  return %logits : tensor<1x16xf32>
}
func.func @prefill(%x: tensor<2x96xf32>) -> tensor<2x16xf32> {
  %head = tern.weight "token_embd.weight" {storage = "Q8_0"} : tensor<16x96xf32>
  %logits = tern.linear %x, %head : (tensor<2x96xf32>, tensor<16x96xf32>) -> tensor<2x16xf32>
  return %logits : tensor<2x16xf32>
}

// -----

// An untied embedding keeps its precision; only the output matrix changes.
// CHECK-LABEL: func.func @untied
// CHECK: tern.weight "token_embd.weight" : tensor<16x128xf16>
// CHECK: tern.weight "output.weight" : tensor<16x128xi4, #tern.row_scaled>
func.func @untied(%tokens: tensor<1xi32>) -> tensor<1x16xf32> {
  %table = tern.weight "token_embd.weight" : tensor<16x128xf16>
  %x = tern.embed %table, %tokens : (tensor<16x128xf16>, tensor<1xi32>) -> tensor<1x128xf32>
  %head = tern.weight "output.weight" : tensor<16x128xf16>
  %logits = tern.linear %x, %head : (tensor<1x128xf32>, tensor<16x128xf16>) -> tensor<1x16xf32>
  return %logits : tensor<1x16xf32>
}

// -----

// Groups of 32 columns: another row length is an error naming the tensor.
func.func @ragged(%x: tensor<1x48xf32>) -> tensor<1x16xf32> {
  // expected-error @+1 {{tensor 'output.weight' has 48 columns; a 4-bit LM head needs a multiple of 32 up to 8192}}
  %head = tern.weight "output.weight" : tensor<16x48xf16>
  %logits = tern.linear %x, %head : (tensor<1x48xf32>, tensor<16x48xf16>) -> tensor<1x16xf32>
  return %logits : tensor<1x16xf32>
}

// -----

// Beyond 8192 columns the int32 sums could overflow.
func.func @too_long(%x: tensor<1x8224xf32>) -> tensor<1x2xf32> {
  // expected-error @+1 {{tensor 'output.weight' has 8224 columns; a 4-bit LM head needs a multiple of 32 up to 8192}}
  %head = tern.weight "output.weight" : tensor<2x8224xf16>
  %logits = tern.linear %x, %head : (tensor<1x8224xf32>, tensor<2x8224xf16>) -> tensor<1x2xf32>
  return %logits : tensor<1x2xf32>
}
