//===- AppendedWeights.h - Packed weights appended to an executable -*- C++ -*-===//
//
// `ternc compile` links an executable's code small and then appends the
// packed model file to it, so that no tool copies the weights more than
// once and the runtime can read them straight into memory (or map them with
// huge-page-congruent offsets). The file ends with a trailer that locates
// them:
//
//   [linked executable][zero padding][packed GGUF][trailer]
//
// The packed file starts at a multiple of kAppendedWeightsAlignment from
// the start of the file. Tools that rewrite executables (strip, objcopy)
// drop the appended bytes; the runtime then says so.
//
//===----------------------------------------------------------------------===//

#ifndef TERNC_RUNTIME_MODEL_APPENDEDWEIGHTS_H
#define TERNC_RUNTIME_MODEL_APPENDEDWEIGHTS_H

#include <cstdint>

namespace ternc {

/// The last bytes of an executable with appended weights (little-endian).
struct AppendedWeightsTrailer {
  /// kAppendedWeightsMagic.
  char magic[8];
  /// Where the packed file starts, from the start of the executable.
  uint64_t offset;
  /// Its size in bytes; the trailer follows it directly.
  uint64_t size;
};
static_assert(sizeof(AppendedWeightsTrailer) == 24);

/// The trailer's first bytes.
inline constexpr char kAppendedWeightsMagic[8] = {'T', 'E', 'R', 'N',
                                                  'W', 'G', 'T', '1'};

/// The alignment of the packed file in the executable: a transparent huge
/// page, so that a mapping of it can be backed by huge pages.
inline constexpr uint64_t kAppendedWeightsAlignment = uint64_t(2) << 20;

} // namespace ternc

#endif // TERNC_RUNTIME_MODEL_APPENDEDWEIGHTS_H
