#include "core/frontend/opset_upgrade.h"

#include <onnx/version_converter/convert.h>

#include <exception>

namespace ramiel::frontend {

Status upgrade_opset(onnx::ModelProto& model, int from, int target) {
  try {
    model = onnx::version_conversion::ConvertVersion(model, target);
  } catch (const std::exception& e) {
    return unimplemented("the model uses ai.onnx opset " + std::to_string(from) +
                         " and ONNX's version converter cannot upgrade it to opset " +
                         std::to_string(target) + ": " + e.what());
  }
  return ok_status();
}

}  // namespace ramiel::frontend
