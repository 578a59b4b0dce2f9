//===- EmbeddedModel.cpp - The model linked into this program -------------===//
//
// A library's model: code and packed model file both in the compiled object.
//
//===----------------------------------------------------------------------===//

#include "runtime/model/EmbeddedModel.h"

namespace ternc {

ModelDefinition embeddedModelDefinition() {
  ModelDefinition definition = compiledCodeDefinition();
  definition.gguf = {tern_model_gguf,
                     static_cast<size_t>(tern_model_gguf_end - tern_model_gguf)};
  definition.ggufIsFileMapping = true;
  return definition;
}

} // namespace ternc
