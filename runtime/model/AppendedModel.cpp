//===- AppendedModel.cpp - The model of this compiled executable ----------===//
//
// An executable's model: its code in the compiled object, its packed model
// file appended to the executable (AppendedWeights.h).
//
//===----------------------------------------------------------------------===//

#include "runtime/model/EmbeddedModel.h"

namespace ternc {

ModelDefinition embeddedModelDefinition() {
  ModelDefinition definition = compiledCodeDefinition();
  definition.appendedTo = "/proc/self/exe";
  return definition;
}

} // namespace ternc
