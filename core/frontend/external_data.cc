#include "core/frontend/external_data.h"

#include <system_error>

namespace ramiel::frontend {
namespace {

namespace fs = std::filesystem;

Status check_tensor(const onnx::TensorProto& tensor, const std::optional<fs::path>& model_dir) {
  if (tensor.data_location() != onnx::TensorProto::EXTERNAL) return ok_status();
  const std::string what = "tensor '" + tensor.name() + "' stores its data outside the model";
  std::string location;
  for (const auto& entry : tensor.external_data()) {
    if (entry.key() == "location") location = entry.value();
  }
  if (location.empty()) return invalid_argument(what + ", but names no location");
  if (!model_dir) {
    return invalid_argument(what + " ('" + location +
                            "'); external data is only accepted for a model file compiled locally");
  }
  const fs::path relative(location);
  if (relative.is_absolute()) return invalid_argument(what + " at an absolute path: " + location);
  for (const auto& part : relative) {
    if (part == "..") return invalid_argument(what + " and its location leaves the model's directory: " + location);
  }
  std::error_code error;
  const fs::path dir = fs::canonical(*model_dir, error);
  if (error) return invalid_argument("model directory " + model_dir->string() + ": " + error.message());
  const fs::path file = fs::canonical(dir / relative, error);  // resolves symlinks
  if (error) return invalid_argument(what + ", but " + location + " cannot be opened: " + error.message());
  auto [dir_end, unused] = std::mismatch(dir.begin(), dir.end(), file.begin(), file.end());
  if (dir_end != dir.end()) {
    return invalid_argument(what + " and " + location + " resolves outside the model's directory");
  }
  if (!fs::is_regular_file(file, error)) {
    return invalid_argument(what + ", but " + location + " is not a regular file");
  }
  return ok_status();
}

}  // namespace

Status check_external_data(const onnx::GraphProto& graph,
                           const std::optional<std::filesystem::path>& model_dir) {
  for (const auto& init : graph.initializer()) {
    RAMIEL_RETURN_IF_ERROR(check_tensor(init, model_dir));
  }
  for (const auto& node : graph.node()) {
    for (const auto& attr : node.attribute()) {
      if (attr.has_t()) RAMIEL_RETURN_IF_ERROR(check_tensor(attr.t(), model_dir));
    }
  }
  return ok_status();
}

}  // namespace ramiel::frontend
