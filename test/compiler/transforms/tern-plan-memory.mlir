// RUN: tern-opt %s --split-input-file --tern-plan-memory | FileCheck %s
// RUN: tern-opt %s --split-input-file --tern-plan-memory=alignment=256 | FileCheck %s --check-prefix=ALIGN
// RUN: not tern-opt %s --split-input-file --tern-plan-memory=alignment=48 2>&1 | FileCheck %s --check-prefix=BADALIGN
// BADALIGN: error: tern-plan-memory: alignment 48 is not a power of two

// Each 1x16 f32 activation is 64 bytes. %a dies at %b, so %c reuses its
// bytes; %b is still read by %d, so %d needs a third slot.
// CHECK-LABEL: func.func @chain
// CHECK-SAME: attributes {tern.arena_size = 192 : i64}
// CHECK: tern.relu2 %{{.+}} {tern.arena_offsets = array<i64: 0>}
// CHECK: tern.silu %{{.+}} {tern.arena_offsets = array<i64: 64>}
// CHECK: tern.relu2 %{{.+}} {tern.arena_offsets = array<i64: 0>}
// CHECK: tern.add %{{.+}}, %{{.+}} {tern.arena_offsets = array<i64: 128>}
// With 256-byte alignment every slot takes 256 bytes.
// ALIGN-LABEL: func.func @chain
// ALIGN-SAME: attributes {tern.arena_size = 768 : i64}
// ALIGN: tern.silu %{{.+}} {tern.arena_offsets = array<i64: 256>}
func.func @chain(%x: tensor<1x16xf32>) -> tensor<1x16xf32> {
  %a = tern.relu2 %x : tensor<1x16xf32>
  %b = tern.silu %a : tensor<1x16xf32>
  %c = tern.relu2 %b : tensor<1x16xf32>
  %d = tern.add %c, %b : (tensor<1x16xf32>, tensor<1x16xf32>) -> tensor<1x16xf32>
  return %d : tensor<1x16xf32>
}

// -----

// Weights take no arena space; each result of a multi-result op gets its
// own slot (a 2x4 f32 is 32 bytes, padded to 64). The fused op's scratch
// (16 int8 activations padded to 64, then 2 f32 scales: 72 bytes, padded to
// 128) follows its results and is free again once the op has run, so the
// product, which still reads both results, takes the scratch's bytes.
// CHECK-LABEL: func.func @fused
// CHECK-SAME: attributes {tern.arena_size = 256 : i64}
// CHECK: tern.weight "g" : tensor<8xf32>
// CHECK-NOT: arena_offsets
// CHECK: tern.rms_norm_bitlinear {{.*}} {epsilon = {{.*}}, tern.arena_offsets = array<i64: 0, 64>, tern.scratch_offset = 128 : i64}
// CHECK: tern.mul {{.*}} {tern.arena_offsets = array<i64: 128>}
func.func @fused(%x: tensor<2x8xf32>) -> tensor<2x4xf32> {
  %g = tern.weight "g" : tensor<8xf32>
  %w1 = tern.weight "w1" : tensor<4x8xi2, #tern.ternary<i2_s, scale = 1.0>>
  %w2 = tern.weight "w2" : tensor<4x8xi2, #tern.ternary<i2_s, scale = 1.0>>
  %y:2 = tern.rms_norm_bitlinear %x, %g, %w1, %w2 {epsilon = 1.0e-05 : f32} : (tensor<2x8xf32>, tensor<8xf32>, tensor<4x8xi2, #tern.ternary<i2_s, scale = 1.0>>, tensor<4x8xi2, #tern.ternary<i2_s, scale = 1.0>>) -> (tensor<2x4xf32>, tensor<2x4xf32>)
  %m = tern.mul %y#0, %y#1 : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
  return %m : tensor<2x4xf32>
}

// -----

// A Q8_K matmul's scratch holds a scale per block of 256 activations: 4
// tokens of 4096 int8 (16384 bytes), then 4 x 16 scales (256 bytes), after
// its 4x4 f32 result (64 bytes); per token it would be 4 scales, 16 bytes
// padded to 64 (the arena would end at 16512).
// CHECK-LABEL: func.func @q8k
// CHECK-SAME: attributes {tern.arena_size = 16704 : i64}
// CHECK: tern.bitlinear {{.*}} {activations = #tern<activations q8_k>, tern.arena_offsets = array<i64: 0>, tern.scratch_offset = 64 : i64}
func.func @q8k(%x: tensor<4x4096xf32>) -> tensor<4x4xf32> {
  %w = tern.weight "w" : tensor<4x4096xi2, #tern.ternary<tq2_0, scale = 1.0>>
  %y = tern.bitlinear %x, %w {activations = #tern<activations q8_k>} : (tensor<4x4096xf32>, tensor<4x4096xi2, #tern.ternary<tq2_0, scale = 1.0>>) -> tensor<4x4xf32>
  return %y : tensor<4x4xf32>
}

// -----

// A row-scaled int8 matmul quantizes its input too: it gets scratch (2x8
// int8 padded to 64, then 2 scales); an f16 one does not.
// CHECK-LABEL: func.func @heads
// CHECK: tern.linear {{.*}} {tern.arena_offsets = array<i64: 0>, tern.scratch_offset = 64 : i64}
// CHECK: tern.linear {{.*}} {tern.arena_offsets = array<i64: 64>} :
func.func @heads(%x: tensor<2x8xf32>) -> tensor<2x4xf32> {
  %w8 = tern.weight "w8" : tensor<4x8xi8, #tern.row_scaled>
  %w16 = tern.weight "w16" : tensor<4x8xf16>
  %a = tern.linear %x, %w8 : (tensor<2x8xf32>, tensor<4x8xi8, #tern.row_scaled>) -> tensor<2x4xf32>
  %b = tern.linear %x, %w16 : (tensor<2x8xf32>, tensor<4x8xf16>) -> tensor<2x4xf32>
  %m = tern.mul %a, %b : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
  return %m : tensor<2x4xf32>
}
