// RUN: tern-opt %s --split-input-file --verify-diagnostics --tern-plan-weights | FileCheck %s
// RUN: tern-opt %s --split-input-file --verify-diagnostics --tern-plan-weights=alignment=4096 | FileCheck %s --check-prefix=PAGE
// RUN: not tern-opt %s --split-input-file --tern-plan-weights=alignment=48 2>&1 | FileCheck %s --check-prefix=ALIGN
// ALIGN: error: tern-plan-weights: alignment 48 is not a power of two

// Offsets count from the start of the packed file's tensor data, in the
// order tensors first appear, each aligned (default 64 bytes): the f16 table
// takes 8 * 128 * 2 = 2048 bytes, the f32 norm 512, each 128 x 128 I2_S
// matrix 128 * 128 / 4 codes plus its 32-byte scale slot = 4128 (so wk
// starts at 2560 + 4128 = 6688 rounded up to 6720). A tensor read again
// (the table in @prefill) keeps its first offsets.
!w = tensor<128x128xi2, #tern.ternary<i2_s, scale = 0.5>>
module {
  func.func @decode() {
    %table = tern.weight "token_embd.weight" : tensor<8x128xf16>
    %g = tern.weight "g" : tensor<128xf32>
    %wq = tern.weight "wq" : !w
    %wk = tern.weight "wk" : !w
    return
  }
  func.func @prefill() {
    %table = tern.weight "token_embd.weight" : tensor<8x128xf16>
    return
  }
}
// CHECK-LABEL: func.func @decode
// CHECK: tern.weight "token_embd.weight" {tern.weight_offset = 0 : i64}
// CHECK: tern.weight "g" {tern.weight_offset = 2048 : i64}
// CHECK: tern.weight "wq" {tern.weight_offset = 2560 : i64}
// CHECK: tern.weight "wk" {tern.weight_offset = 6720 : i64}
// CHECK-LABEL: func.func @prefill
// CHECK: tern.weight "token_embd.weight" {tern.weight_offset = 0 : i64}
// PAGE-LABEL: func.func @decode
// PAGE: tern.weight "token_embd.weight" {tern.weight_offset = 0 : i64}
// PAGE: tern.weight "g" {tern.weight_offset = 4096 : i64}
// PAGE: tern.weight "wq" {tern.weight_offset = 8192 : i64}
// PAGE: tern.weight "wk" {tern.weight_offset = 16384 : i64}

// -----

// Row-scaled matrices are their rows, then their f32 row scales: int8 rows
// of 128 bytes; 4-bit rows of 128 / 2 + 128 / 32 = 68 bytes (8 rows: 544,
// so the scales start 576 bytes after them). An interleaved f16 matrix is padded to whole
// groups: 10 rows in groups of 8 take 16 * 96 * 2 = 3072 bytes; so is an
// interleaved I2_S matrix, its scale slot after the padded rows: 16 * 128 / 4
// + 32 = 544 bytes (so "last" starts at 4864 + 544 rounded up to 5440).
module {
  func.func @decode() {
    %int8 = tern.weight "int8" : tensor<8x128xi8, #tern.row_scaled>
    %q4 = tern.weight "q4" : tensor<8x128xi4, #tern.row_scaled>
    %interleaved = tern.weight "interleaved" {tern.row_interleave = 8 : i64} : tensor<10x96xf16>
    %after = tern.weight "after" : tensor<16xf32>
    %ternary = tern.weight "ternary" {tern.row_interleave = 8 : i64} : tensor<10x128xi2, #tern.ternary<i2_s, scale = 0.5>>
    %last = tern.weight "last" : tensor<16xf32>
    return
  }
}
// CHECK: tern.weight "int8" {tern.row_scales_offset = 1024 : i64, tern.weight_offset = 0 : i64}
// CHECK: tern.weight "q4" {tern.row_scales_offset = 1664 : i64, tern.weight_offset = 1088 : i64}
// CHECK: tern.weight "interleaved" {tern.row_interleave = 8 : i64, tern.weight_offset = 1728 : i64}
// CHECK: tern.weight "after" {tern.weight_offset = 4800 : i64}
// CHECK: tern.weight "ternary" {tern.row_interleave = 8 : i64, tern.weight_offset = 4864 : i64}
// CHECK: tern.weight "last" {tern.weight_offset = 5440 : i64}

// -----

// A plan already in the IR is replaced.
module {
  func.func @decode() {
    %g = tern.weight "g" {tern.weight_offset = 12345 : i64} : tensor<128xf32>
    return
  }
}
// CHECK: tern.weight "g" {tern.weight_offset = 0 : i64}

// -----

// The packed file holds one form of each tensor.
module {
  func.func @decode() {
    %a = tern.weight "token_embd.weight" : tensor<8x128xf16>
    // expected-error @+1 {{weight 'token_embd.weight' is read as 'tensor<8x128xi8, #tern.row_scaled>' here and as 'tensor<8x128xf16>' before: the packed file holds one form of each tensor}}
    %b = tern.weight "token_embd.weight" : tensor<8x128xi8, #tern.row_scaled>
    return
  }
}

// -----

// Ternary weights still in a float storage have no packed form.
module {
  func.func @decode() {
    // expected-error @+1 {{weight 'w' is stored as f16, which has no packed ternary form (run tern-select-weight-layout with a ternary layout first)}}
    %w = tern.weight "w" : tensor<4x128xi2, #tern.ternary<f16, scale = 1.0>>
    return
  }
}
