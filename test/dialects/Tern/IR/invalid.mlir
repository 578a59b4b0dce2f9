// One case per verifier rule of the tern dialect: each message names the
// operands (or type parameters) and their shapes.
// RUN: tern-opt %s -split-input-file -verify-diagnostics

// expected-error @+1 {{a ternary weight is a matrix (out x in), got 3 dimensions}}
func.func private @rank(tensor<2x4x8xi2, #tern.ternary<i2_s, scale = 1.0>>)

// -----

// expected-error @+1 {{ternary weight dimensions must be positive}}
func.func private @zero(tensor<0x8xi2, #tern.ternary<i2_s, scale = 1.0>>)

// -----

// expected-error @+1 {{a ternary weight's elements are i2, not 'i8'}}
func.func private @element(tensor<4x8xi8, #tern.ternary<i2_s, scale = 1.0>>)

// -----

// expected-error @+1 {{ternary weight dimensions must be positive}}
func.func private @dynamic(tensor<?x8xi2, #tern.ternary<i2_s, scale = 1.0>>)

// -----

// expected-error @+1 {{unknown ternary storage 'q4_0' (expected i2_s, tq1_0, tq2_0, f32, f16 or bf16)}}
func.func private @storage(tensor<4x8xi2, #tern.ternary<q4_0, scale = 1.0>>)

// -----

// expected-error @+1 {{the scale must be finite and non-negative, got -5.000000e-01}}
func.func private @scale(tensor<4x8xi2, #tern.ternary<i2_s, scale = -0.5>>)

// -----

// expected-error @+1 {{KV cache dimensions must be positive (layers 2, capacity 0, kv_heads 2, head_dim 4)}}
func.func private @capacity(!tern.kv_cache<layers 2, capacity 0, kv_heads 2, head_dim 4, f16>)

// -----

// expected-error @+1 {{KV cache elements must be f16 or f32, got 'bf16'}}
func.func private @cache_type(!tern.kv_cache<layers 2, capacity 8, kv_heads 2, head_dim 4, bf16>)

// -----

func.func @weight_name() {
  // expected-error @+1 {{'tern.weight' op needs the name of a model tensor}}
  %w = tern.weight "" : tensor<4xf32>
  return
}

// -----

func.func @weight_storage() {
  // expected-error @+1 {{'tern.weight' op 'storage' is part of the #tern.ternary encoding; do not repeat it as an attribute}}
  %w = tern.weight "w" {storage = "I2_S"} : tensor<4x8xi2, #tern.ternary<i2_s, scale = 1.0>>
  return
}

// -----

func.func @weight_dynamic() {
  // expected-error @+1 {{'tern.weight' op result #0 must be}}
  %w = tern.weight "w" : tensor<?x8xf32>
  return
}

// -----

func.func @norm_gamma(%x: tensor<2x8xf32>, %g: tensor<4xf32>) {
  // expected-error @+1 {{'tern.rms_norm' op 'gamma' 'tensor<4xf32>' must have one entry per feature of 'input' 'tensor<2x8xf32>'}}
  %y = tern.rms_norm %x, %g {epsilon = 1.0e-05 : f32} : (tensor<2x8xf32>, tensor<4xf32>) -> tensor<2x8xf32>
  return
}

// -----

func.func @norm_epsilon(%x: tensor<2x8xf32>, %g: tensor<8xf32>) {
  // expected-error @+1 {{'tern.rms_norm' op 'epsilon' must be positive, got 0.000000e+00}}
  %y = tern.rms_norm %x, %g {epsilon = 0.0 : f32} : (tensor<2x8xf32>, tensor<8xf32>) -> tensor<2x8xf32>
  return
}

// -----

func.func @bitlinear_features(%x: tensor<2x8xf32>, %w: tensor<4x16xi2, #tern.ternary<i2_s, scale = 1.0>>) {
  // expected-error @+1 {{'tern.bitlinear' op 'input' 'tensor<2x8xf32>' has 8 features but 'weight' 'tensor<4x16xi2, #tern.ternary<i2_s, scale = 1.0>>' takes 16}}
  %y = tern.bitlinear %x, %w : (tensor<2x8xf32>, tensor<4x16xi2, #tern.ternary<i2_s, scale = 1.0>>) -> tensor<2x4xf32>
  return
}

// -----

func.func @bitlinear_result(%x: tensor<2x16xf32>, %w: tensor<4x16xi2, #tern.ternary<i2_s, scale = 1.0>>) {
  // A stated result type must be the inferred one.
  // expected-error @+2 {{'tern.bitlinear' op inferred type(s) 'tensor<2x4xf32>' are incompatible with return type(s) of operation 'tensor<2x5xf32>'}}
  // expected-error @+1 {{'tern.bitlinear' op failed to infer returned types}}
  %y = tern.bitlinear %x, %w : (tensor<2x16xf32>, tensor<4x16xi2, #tern.ternary<i2_s, scale = 1.0>>) -> tensor<2x5xf32>
  return
}

// -----

func.func @fused_gamma(%x: tensor<2x16xf32>, %g: tensor<8xf32>, %w: tensor<4x16xi2, #tern.ternary<i2_s, scale = 1.0>>) {
  // expected-error @+1 {{'tern.rms_norm_bitlinear' op 'gamma' 'tensor<8xf32>' must have one entry per feature of 'input' 'tensor<2x16xf32>'}}
  %y = tern.rms_norm_bitlinear %x, %g, %w {epsilon = 1.0e-05 : f32} : (tensor<2x16xf32>, tensor<8xf32>, tensor<4x16xi2, #tern.ternary<i2_s, scale = 1.0>>) -> tensor<2x4xf32>
  return
}

// -----

func.func @fused_features(%x: tensor<2x8xf32>, %g: tensor<8xf32>, %w: tensor<4x16xi2, #tern.ternary<i2_s, scale = 1.0>>) {
  // expected-error @+1 {{'tern.rms_norm_bitlinear' op 'input' 'tensor<2x8xf32>' has 8 features but 'weight' 'tensor<4x16xi2, #tern.ternary<i2_s, scale = 1.0>>' takes 16}}
  %y = tern.rms_norm_bitlinear %x, %g, %w {epsilon = 1.0e-05 : f32} : (tensor<2x8xf32>, tensor<8xf32>, tensor<4x16xi2, #tern.ternary<i2_s, scale = 1.0>>) -> tensor<2x4xf32>
  return
}

// -----

func.func @bitlinear_no_weight(%x: tensor<2x16xf32>) {
  // expected-error @+1 {{'tern.bitlinear' op needs at least one weight}}
  "tern.bitlinear"(%x) : (tensor<2x16xf32>) -> ()
  return
}

// -----

func.func @bitlinear_second_weight(%x: tensor<2x16xf32>, %a: tensor<4x16xi2, #tern.ternary<i2_s, scale = 1.0>>, %b: tensor<4x8xi2, #tern.ternary<i2_s, scale = 1.0>>) {
  // expected-error @+1 {{'tern.bitlinear' op 'input' 'tensor<2x16xf32>' has 16 features but 'weight' 'tensor<4x8xi2, #tern.ternary<i2_s, scale = 1.0>>' takes 8}}
  %y:2 = tern.bitlinear %x, %a, %b : (tensor<2x16xf32>, tensor<4x16xi2, #tern.ternary<i2_s, scale = 1.0>>, tensor<4x8xi2, #tern.ternary<i2_s, scale = 1.0>>) -> (tensor<2x4xf32>, tensor<2x4xf32>)
  return
}

// -----

func.func @fused_no_weight(%x: tensor<2x16xf32>, %g: tensor<16xf32>) {
  // expected-error @+1 {{'tern.rms_norm_bitlinear' op needs at least one weight}}
  "tern.rms_norm_bitlinear"(%x, %g) <{epsilon = 1.0e-05 : f32}> : (tensor<2x16xf32>, tensor<16xf32>) -> ()
  return
}

// -----

func.func @relu2_mul_shapes(%g: tensor<1x8xf32>, %u: tensor<1x4xf32>) {
  // expected-error @+1 {{'tern.relu2_mul' op 'gate' 'tensor<1x8xf32>' and 'up' 'tensor<1x4xf32>' must have the same shape}}
  %y = tern.relu2_mul %g, %u : (tensor<1x8xf32>, tensor<1x4xf32>) -> tensor<1x8xf32>
  return
}

// -----

func.func @silu_mul_shapes(%g: tensor<1x8xf32>, %u: tensor<2x8xf32>) {
  // expected-error @+1 {{'tern.silu_mul' op 'gate' 'tensor<1x8xf32>' and 'up' 'tensor<2x8xf32>' must have the same shape}}
  %y = tern.silu_mul %g, %u : (tensor<1x8xf32>, tensor<2x8xf32>) -> tensor<1x8xf32>
  return
}

// -----

func.func @linear_features(%x: tensor<1x8xf32>, %w: tensor<32x16xf16>) {
  // expected-error @+1 {{'tern.linear' op 'input' 'tensor<1x8xf32>' has 8 features but 'weight' 'tensor<32x16xf16>' takes 16}}
  %y = tern.linear %x, %w : (tensor<1x8xf32>, tensor<32x16xf16>) -> tensor<1x32xf32>
  return
}

// -----

// int8 matrices need their row scales (the #tern.row_scaled encoding).
func.func @linear_unscaled_int8(%x: tensor<1x16xf32>, %w: tensor<32x16xi8>) {
  // expected-error @+1 {{'tern.linear' op operand #1 must be 2-D statically shaped tensor of 32-bit float or 16-bit float or bfloat16 type values or 2-D statically shaped i8 tensor, or i4 tensor of a multiple of 32 columns up to 8192, with #tern.row_scaled encoding}}
  %y = tern.linear %x, %w : (tensor<1x16xf32>, tensor<32x16xi8>) -> tensor<1x32xf32>
  return
}

// -----

// 4-bit rows come in whole groups of 32 columns.
func.func @linear_ragged_q4(%x: tensor<1x48xf32>, %w: tensor<32x48xi4, #tern.row_scaled>) {
  // expected-error @+1 {{'tern.linear' op operand #1 must be 2-D statically shaped tensor of 32-bit float or 16-bit float or bfloat16 type values or 2-D statically shaped i8 tensor, or i4 tensor of a multiple of 32 columns up to 8192, with #tern.row_scaled encoding}}
  %y = tern.linear %x, %w : (tensor<1x48xf32>, tensor<32x48xi4, #tern.row_scaled>) -> tensor<1x32xf32>
  return
}

// -----

func.func @embed_tokens(%t: tensor<3xi64>, %e: tensor<32x16xf16>) {
  // expected-error @+1 {{'tern.embed' op operand #1 must be 1-D statically shaped tensor of 32-bit signless integer values}}
  %x = tern.embed %e, %t : (tensor<32x16xf16>, tensor<3xi64>) -> tensor<3x16xf32>
  return
}

// -----

func.func @rope_heads(%x: tensor<1x10xf32>, %p: index) {
  // expected-error @+1 {{'tern.rope' op 'input' 'tensor<1x10xf32>' is not a whole number of heads of head_dim 4}}
  %y = tern.rope neox %x, %p {base = 1.0e+04 : f32, dims = 4, head_dim = 4} : (tensor<1x10xf32>, index) -> tensor<1x10xf32>
  return
}

// -----

func.func @rope_dims(%x: tensor<1x8xf32>, %p: index) {
  // expected-error @+1 {{'tern.rope' op 'dims' 6 must be even, positive and at most head_dim 4}}
  %y = tern.rope neox %x, %p {base = 1.0e+04 : f32, dims = 6, head_dim = 4} : (tensor<1x8xf32>, index) -> tensor<1x8xf32>
  return
}

// -----

func.func @rope_base(%x: tensor<1x8xf32>, %p: index) {
  // expected-error @+1 {{'tern.rope' op 'base' must be positive, got -1.000000e+00}}
  %y = tern.rope norm %x, %p {base = -1.0 : f32, dims = 4, head_dim = 4} : (tensor<1x8xf32>, index) -> tensor<1x8xf32>
  return
}

// -----

!cache = !tern.kv_cache<layers 2, capacity 4, kv_heads 2, head_dim 4, f16>
func.func @attention_tokens(%q: tensor<2x16xf32>, %k: tensor<1x8xf32>, %v: tensor<2x8xf32>, %c: !cache, %p: index) {
  // expected-error @+1 {{'tern.attention' op 'query' 'tensor<2x16xf32>', 'key' 'tensor<1x8xf32>' and 'value' 'tensor<2x8xf32>' must have the same number of tokens}}
  %a = tern.attention %q, %k, %v, %c, %p {layer = 0} : (tensor<2x16xf32>, tensor<1x8xf32>, tensor<2x8xf32>, !cache, index) -> tensor<2x16xf32>
  return
}

// -----

!cache = !tern.kv_cache<layers 2, capacity 4, kv_heads 2, head_dim 4, f16>
func.func @attention_kv_width(%q: tensor<2x16xf32>, %k: tensor<2x12xf32>, %v: tensor<2x12xf32>, %c: !cache, %p: index) {
  // expected-error @+1 {{'tern.attention' op 'key' 'tensor<2x12xf32>' and 'value' 'tensor<2x12xf32>' must have kv_heads * head_dim = 8 features for cache '!tern.kv_cache<layers 2, capacity 4, kv_heads 2, head_dim 4, f16>'}}
  %a = tern.attention %q, %k, %v, %c, %p {layer = 0} : (tensor<2x16xf32>, tensor<2x12xf32>, tensor<2x12xf32>, !cache, index) -> tensor<2x16xf32>
  return
}

// -----

!cache = !tern.kv_cache<layers 2, capacity 4, kv_heads 2, head_dim 4, f16>
func.func @attention_query_heads(%q: tensor<2x12xf32>, %k: tensor<2x8xf32>, %v: tensor<2x8xf32>, %c: !cache, %p: index) {
  // expected-error @+1 {{'tern.attention' op 'query' 'tensor<2x12xf32>' must hold a multiple of kv_heads (2) heads of head_dim 4}}
  %a = tern.attention %q, %k, %v, %c, %p {layer = 0} : (tensor<2x12xf32>, tensor<2x8xf32>, tensor<2x8xf32>, !cache, index) -> tensor<2x12xf32>
  return
}

// -----

!cache = !tern.kv_cache<layers 2, capacity 4, kv_heads 2, head_dim 4, f16>
func.func @attention_capacity(%q: tensor<5x16xf32>, %k: tensor<5x8xf32>, %v: tensor<5x8xf32>, %c: !cache, %p: index) {
  // expected-error @+1 {{'tern.attention' op 5 tokens exceed the cache capacity 4}}
  %a = tern.attention %q, %k, %v, %c, %p {layer = 0} : (tensor<5x16xf32>, tensor<5x8xf32>, tensor<5x8xf32>, !cache, index) -> tensor<5x16xf32>
  return
}

// -----

!cache = !tern.kv_cache<layers 2, capacity 4, kv_heads 2, head_dim 4, f16>
func.func @attention_layer(%q: tensor<2x16xf32>, %k: tensor<2x8xf32>, %v: tensor<2x8xf32>, %c: !cache, %p: index) {
  // expected-error @+1 {{'tern.attention' op 'layer' 2 is not a layer of cache '!tern.kv_cache<layers 2, capacity 4, kv_heads 2, head_dim 4, f16>'}}
  %a = tern.attention %q, %k, %v, %c, %p {layer = 2} : (tensor<2x16xf32>, tensor<2x8xf32>, tensor<2x8xf32>, !cache, index) -> tensor<2x16xf32>
  return
}

// -----

func.func @add_shapes(%a: tensor<1x8xf32>, %b: tensor<1x4xf32>) {
  // expected-error @+1 {{'tern.add' op 'lhs' 'tensor<1x8xf32>' and 'rhs' 'tensor<1x4xf32>' must have the same shape}}
  %y = tern.add %a, %b : (tensor<1x8xf32>, tensor<1x4xf32>) -> tensor<1x8xf32>
  return
}

// -----

func.func @mul_shapes(%a: tensor<2x8xf32>, %b: tensor<1x8xf32>) {
  // expected-error @+1 {{'tern.mul' op 'lhs' 'tensor<2x8xf32>' and 'rhs' 'tensor<1x8xf32>' must have the same shape}}
  %y = tern.mul %a, %b : (tensor<2x8xf32>, tensor<1x8xf32>) -> tensor<2x8xf32>
  return
}

// -----

func.func @relu2_type(%a: tensor<2x8xf32>) {
  // expected-error @+1 {{'tern.relu2' op requires the same type for all operands and results}}
  %y = "tern.relu2"(%a) : (tensor<2x8xf32>) -> tensor<2x4xf32>
  return
}

// -----

// The dialect's discardable attributes (TernBase.td): an unknown one, ...
// expected-error @+1 {{'tern.weight_ofset' is not an attribute of the tern dialect}}
module attributes {tern.weight_ofset = 4 : i64} {}

// -----

// ... one on the wrong op, ...
// expected-error @+1 {{'tern.architecture' belongs on the module, not on 'func.func'}}
func.func private @architecture() attributes {tern.architecture = "bitnet"}

// -----

// ... a weight offset that is not a non-negative i64, ...
func.func @offset() {
  // expected-error @+1 {{'tern.weight_offset' must be a non-negative i64, not -64 : i64}}
  %w = tern.weight "output.weight" {tern.weight_offset = -64 : i64} : tensor<8x128xf16>
  return
}

// -----

// ... a row interleave below 1, ...
func.func @interleave() {
  // expected-error @+1 {{'tern.row_interleave' must be an i64 >= 1, not 0 : i64}}
  %w = tern.weight "output.weight" {tern.row_interleave = 0 : i64} : tensor<8x128xf16>
  return
}

// -----

// ... arena offsets that do not match the results, ...
func.func @offsets(%x: tensor<1x128xf32>) -> tensor<1x128xf32> {
  // expected-error @+1 {{'tern.arena_offsets' must be an array<i64> of one non-negative offset per result, not array<i64: 0, 512>}}
  %y = tern.add %x, %x {tern.arena_offsets = array<i64: 0, 512>} : (tensor<1x128xf32>, tensor<1x128xf32>) -> tensor<1x128xf32>
  return %y : tensor<1x128xf32>
}

// -----

// ... and an arena size that is not an integer.
// expected-error @+1 {{'tern.arena_size' must be a non-negative i64, not "big"}}
func.func private @arena() attributes {tern.arena_size = "big"}

// -----

func.func @q8k_partial_block(%x: tensor<1x128xf32>, %w: tensor<4x128xi2, #tern.ternary<i2_s, scale = 1.0>>) {
  // expected-error @+1 {{'tern.bitlinear' op quantizes its activations as q8_k, in blocks of 256, but its input 'tensor<1x128xf32>' has 128 features, not a multiple of 256}}
  %y = tern.bitlinear %x, %w {activations = #tern<activations q8_k>} : (tensor<1x128xf32>, tensor<4x128xi2, #tern.ternary<i2_s, scale = 1.0>>) -> tensor<1x4xf32>
  return
}

// -----

func.func @unknown_activations(%x: tensor<1x256xf32>, %w: tensor<4x256xi2, #tern.ternary<i2_s, scale = 1.0>>) {
  // expected-error @+2 {{expected ::mlir::tern::ActivationQuant to be one of: per_token, q8_k}}
  // expected-error @+1 {{failed to parse Tern_ActivationQuantAttr parameter 'value'}}
  %y = tern.bitlinear %x, %w {activations = #tern<activations q4_k>} : (tensor<1x256xf32>, tensor<4x256xi2, #tern.ternary<i2_s, scale = 1.0>>) -> tensor<1x4xf32>
  return
}
