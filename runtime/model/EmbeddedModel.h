//===- EmbeddedModel.h - The model linked into this executable --*- C++ -*-===//
//
// Only EmbeddedModel.cpp refers to the tern_model_* symbols that a compiled
// object defines, so everything else (and every test) can run models built
// by hand.
//
//===----------------------------------------------------------------------===//

#ifndef TERNC_RUNTIME_MODEL_EMBEDDEDMODEL_H
#define TERNC_RUNTIME_MODEL_EMBEDDEDMODEL_H

#include "runtime/model/CompiledModel.h"

namespace ternc {

/// The definition of the model compiled into this executable (its
/// tern_model_* symbols); linking it requires the compiled object.
ModelDefinition embeddedModelDefinition();

} // namespace ternc

#endif // TERNC_RUNTIME_MODEL_EMBEDDEDMODEL_H
