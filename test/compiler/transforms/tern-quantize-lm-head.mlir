// RUN: tern-opt %s --split-input-file --verify-diagnostics --tern-quantize-lm-head | FileCheck %s

// The LM head's tensor becomes row-scaled int8 in every function, for the
// matmul and for the tied embedding that reads the same tensor (one copy);
// the file's storage no longer applies. Other weights are left alone.
// CHECK-LABEL: func.func @decode
// CHECK: %[[TABLE:.+]] = tern.weight "token_embd.weight" : tensor<16x128xi8, #tern.row_scaled>
// CHECK: tern.embed %[[TABLE]], %{{.+}} : (tensor<16x128xi8, #tern.row_scaled>, tensor<1xi32>) -> tensor<1x128xf32>
// CHECK: %[[GAMMA:.+]] = tern.weight "output_norm.weight" : tensor<128xf32>
// CHECK: tern.linear %{{.+}}, %[[TABLE]] : (tensor<1x128xf32>, tensor<16x128xi8, #tern.row_scaled>) -> tensor<1x16xf32>
// CHECK-LABEL: func.func @prefill
// CHECK: tern.weight "token_embd.weight" : tensor<16x128xi8, #tern.row_scaled>
// CHECK-NOT: storage
// CHECK: tern.linear
func.func @decode(%tokens: tensor<1xi32>) -> tensor<1x16xf32> {
  %table = tern.weight "token_embd.weight" : tensor<16x128xf16>
  %x = tern.embed %table, %tokens : (tensor<16x128xf16>, tensor<1xi32>) -> tensor<1x128xf32>
  %gamma = tern.weight "output_norm.weight" : tensor<128xf32>
  %h = tern.rms_norm %x, %gamma {epsilon = 1.0e-05 : f32} : (tensor<1x128xf32>, tensor<128xf32>) -> tensor<1x128xf32>
  %logits = tern.linear %h, %table : (tensor<1x128xf32>, tensor<16x128xf16>) -> tensor<1x16xf32>
  return %logits : tensor<1x16xf32>
}
func.func @prefill(%x: tensor<2x128xf32>) -> tensor<2x16xf32> {
  %head = tern.weight "token_embd.weight" {storage = "Q8_0"} : tensor<16x128xf32>
  %logits = tern.linear %x, %head : (tensor<2x128xf32>, tensor<16x128xf32>) -> tensor<2x16xf32>
  return %logits : tensor<2x16xf32>
}

// -----

// An untied embedding keeps its precision; only the output matrix changes.
// CHECK-LABEL: func.func @untied
// CHECK: tern.weight "token_embd.weight" : tensor<16x128xf16>
// CHECK: tern.weight "output.weight" : tensor<16x128xi8, #tern.row_scaled>
func.func @untied(%tokens: tensor<1xi32>) -> tensor<1x16xf32> {
  %table = tern.weight "token_embd.weight" : tensor<16x128xf16>
  %x = tern.embed %table, %tokens : (tensor<16x128xf16>, tensor<1xi32>) -> tensor<1x128xf32>
  %head = tern.weight "output.weight" : tensor<16x128xf16>
  %logits = tern.linear %x, %head : (tensor<1x128xf32>, tensor<16x128xf16>) -> tensor<1x16xf32>
  return %logits : tensor<1x16xf32>
}

// -----

// Only a weight of the model file can be quantized at compile time.
func.func @computed(%x: tensor<1x128xf32>, %w: tensor<16x128xf32>) -> tensor<1x16xf32> {
  // expected-error @+1 {{the weight of a tern.linear must be a tern.weight to be quantized}}
  %logits = tern.linear %x, %w : (tensor<1x128xf32>, tensor<16x128xf32>) -> tensor<1x16xf32>
  return %logits : tensor<1x16xf32>
}

// -----

// The format is int8 or q4; anything else is named.
// RUN: not tern-opt %s --split-input-file --tern-quantize-lm-head=format=q3 2>&1 | FileCheck %s --check-prefix=FORMAT
// FORMAT: unknown format 'q3' (int8 or q4)
func.func @format() {
  return
}
