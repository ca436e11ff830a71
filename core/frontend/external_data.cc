#include "core/frontend/external_data.h"

#include <algorithm>
#include <system_error>

#include "core/frontend/model_walk.h"

namespace ramiel::frontend {
namespace {

namespace fs = std::filesystem;

// A location inside `model_dir` that resolves (symlinks included) to a regular file in it.
Status check_location(const std::string& what, const std::string& location,
                      const fs::path& model_dir) {
  if (location.empty()) return invalid_argument(what + ", but names no location");
  const fs::path relative(location);
  if (relative.is_absolute()) return invalid_argument(what + " at an absolute path: " + location);
  for (const auto& part : relative) {
    if (part == "..")
      return invalid_argument(what + " and its location leaves the model's directory: " + location);
  }
  std::error_code error;
  const fs::path dir = fs::canonical(model_dir, error);
  if (error)
    return invalid_argument("model directory " + model_dir.string() + ": " + error.message());
  const fs::path file = fs::canonical(dir / relative, error);  // resolves symlinks
  if (error)
    return invalid_argument(what + ", but " + location + " cannot be opened: " + error.message());
  auto [dir_end, unused] = std::mismatch(dir.begin(), dir.end(), file.begin(), file.end());
  if (dir_end != dir.end()) {
    return invalid_argument(what + " and " + location + " resolves outside the model's directory");
  }
  if (!fs::is_regular_file(file, error)) {
    return invalid_argument(what + ", but " + location + " is not a regular file");
  }
  return ok_status();
}

class ExternalDataCheck final : public ModelVisitor {
 public:
  explicit ExternalDataCheck(const std::optional<fs::path>& model_dir) : model_dir_(model_dir) {}

  Status tensor(const onnx::TensorProto& tensor, const std::string& where, bool) override {
    if (tensor.data_location() != onnx::TensorProto::EXTERNAL) return ok_status();
    const std::string what =
        where + ": tensor '" + tensor.name() + "' stores its data outside the model";
    if (!model_dir_) {
      // Nothing of the location goes into the message: it must read the same whether or not
      // the path exists on this machine.
      return invalid_argument(what +
                              "; external data is only accepted for a model file compiled locally");
    }
    std::string location;
    for (const auto& entry : tensor.external_data()) {
      if (entry.key() == "location") location = entry.value();
    }
    return check_location(what, location, *model_dir_);
  }

 private:
  const std::optional<fs::path>& model_dir_;
};

}  // namespace

Status check_external_data(const onnx::ModelProto& model,
                           const std::optional<std::filesystem::path>& model_dir) {
  ExternalDataCheck check(model_dir);
  return walk_model(model, check);
}

}  // namespace ramiel::frontend
