//===- ModelCheck.h - Architecture-aware validation of a model --*- C++ -*-===//
//
// `ternc check`: everything that can be verified about a GGUF model before it
// is compiled. The architecture's keys and tensors are present, every shape
// matches the hyper-parameters, every tensor has a type its role allows, the
// ternary tensors hold only valid codes with one usable scale, and the norm
// weights are finite. Norm gamma statistics are reported, never "fixed": in
// the official 2B4T, attn_norm RMS ~ 1/sqrt(2560) is a trained property.
//
//===----------------------------------------------------------------------===//

#ifndef TERNC_COMPILER_MODEL_MODELCHECK_H
#define TERNC_COMPILER_MODEL_MODELCHECK_H

#include "compiler/model/Architecture.h"
#include "runtime/gguf/GgufFile.h"

#include <optional>
#include <set>
#include <string>
#include <vector>

namespace ternc::model {

enum class Severity { Info, Warning, Error };

/// One finding; the message names the tensor or key it is about.
struct Diagnostic {
  Severity severity;
  std::string message;
};

/// Statistics of one norm weight vector (gamma).
struct NormStats {
  std::string tensor;
  /// Layer index, or -1 for output_norm.
  int layer;
  double mean, rms, min, max;
};

/// The outcome of checking a model.
struct CheckReport {
  /// The canonical architecture name, when known.
  std::string architecture;
  std::optional<HyperParams> params;
  std::vector<Diagnostic> diagnostics;
  std::vector<NormStats> norms;

  size_t count(Severity severity) const;
};

/// Runs every check on `file`. Never fails: problems become diagnostics.
CheckReport checkModel(const gguf::GgufFile &file);

/// The tensor `spec` describes, checked for presence, shape and a storage
/// type its role allows; nullptr when an optional tensor is absent. Errors
/// name the tensor (and the expected and actual shapes).
Expected<const gguf::TensorInfo *> lookUpTensor(const gguf::GgufFile &file,
                                                const TensorSpec &spec);

/// What a scan of a ternary tensor's contents found.
struct TernaryContents {
  /// Elements whose 2-bit code is 3 (I2_S, TQ2_0): not a trit.
  uint64_t invalidCodes = 0;
  /// Non-finite scales or values.
  uint64_t nonFinite = 0;
  /// The largest scale (I2_S), block scale (TQ1_0, TQ2_0) or |value| (float
  /// storage): the one scale per tensor ternc uses.
  float maxMagnitude = 0;
  /// Up to three distinct non-zero magnitudes; more than one cannot be
  /// represented exactly with one scale per tensor.
  std::set<float> magnitudes;
};

/// The absmean rule that ternarizes master weights (bitnet.cpp's converter,
/// docs/formats.md §8), given the sum of the weights' magnitudes (summed in
/// double) and their count.
struct AbsmeanScale {
  /// s = 1 / max(mean |w|, 1e-5) in f32, the mean rounded to f32: a trit is
  /// clamp(round_half_even(w * s), -1, 1).
  float inverse;
  /// 1 / s (f32): the scale the trits stand multiplied by.
  float scale;
};
AbsmeanScale absmeanScale(double magnitudeSum, uint64_t count);

/// Scans the contents of a ternary tensor stored as I2_S, TQ1_0, TQ2_0 or a
/// float type.
TernaryContents scanTernary(const gguf::TensorInfo &tensor, ByteSpan data);

/// Why `contents` of `tensor` cannot be used as one ternary matrix with one
/// scale (invalid codes, non-finite values, several magnitudes in float
/// storage), or success. Differing TQ block scales are not an error here.
Status checkTernaryContents(const gguf::TensorInfo &tensor,
                            const TernaryContents &contents);

} // namespace ternc::model

#endif // TERNC_COMPILER_MODEL_MODELCHECK_H
