//===- EmbeddedModel.h - The model linked into this executable --*- C++ -*-===//
//
// Only EmbeddedModel.cpp (a library's model: the packed file in the object)
// and AppendedModel.cpp (an executable's: the packed file appended to it)
// refer to the tern_model_* symbols that a compiled object defines, so
// everything else (and every test) can run models built by hand. A program
// links exactly one of them.
//
//===----------------------------------------------------------------------===//

#ifndef TERNC_RUNTIME_MODEL_EMBEDDEDMODEL_H
#define TERNC_RUNTIME_MODEL_EMBEDDEDMODEL_H

#include "runtime/model/CompiledModel.h"

namespace ternc {

/// The definition of the model compiled into this program; linking it
/// requires the compiled object.
ModelDefinition embeddedModelDefinition();

/// The parts of the definition that the compiled object's code provides
/// (for the two definitions of embeddedModelDefinition()).
inline ModelDefinition compiledCodeDefinition() {
  ModelDefinition definition;
  definition.info = &tern_model_info;
  definition.kernels = &tern_model_kernels;
  definition.decode = &tern_model_decode;
  definition.prefill = &tern_model_prefill;
  return definition;
}

} // namespace ternc

#endif // TERNC_RUNTIME_MODEL_EMBEDDEDMODEL_H
