//===- EmbeddedModel.cpp - The model linked into this executable ----------===//

#include "runtime/model/EmbeddedModel.h"

namespace ternc {

ModelDefinition embeddedModelDefinition() {
  ModelDefinition definition;
  definition.info = &tern_model_info;
  definition.gguf = {tern_model_gguf,
                     static_cast<size_t>(tern_model_gguf_end - tern_model_gguf)};
  definition.kernels = &tern_model_kernels;
  definition.decode = &tern_model_decode;
  definition.prefill = &tern_model_prefill;
  return definition;
}

} // namespace ternc
