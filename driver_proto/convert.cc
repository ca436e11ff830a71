#include "driver_proto/convert.h"

namespace ramiel::driver_proto {

v1::CompileOptions options_to_proto(const driver::CompileOptions& options) {
  v1::CompileOptions proto;
  proto.set_workers(options.workers);
  for (const auto& [name, shape] : options.input_shapes) {
    auto& dims = *(*proto.mutable_input_shapes())[name].mutable_dims();
    dims.Add(shape.begin(), shape.end());
  }
  proto.set_device_profile_json(options.device_profile_json);
  proto.set_measured_costs_json(options.measured_costs_json);
  proto.set_model_name(options.model_name);
  return proto;
}

driver::CompileOptions options_from_proto(const v1::CompileOptions& proto) {
  driver::CompileOptions options;
  if (proto.workers() != 0) options.workers = proto.workers();
  for (const auto& [name, shape] : proto.input_shapes()) {
    options.input_shapes[name] = ir::Shape(shape.dims().begin(), shape.dims().end());
  }
  options.device_profile_json = proto.device_profile_json();
  options.measured_costs_json = proto.measured_costs_json();
  options.model_name = proto.model_name();
  return options;
}

void result_to_response(const driver::CompileResult& result, v1::CompileResponse& response) {
  response.clear_files();
  for (const auto& [name, contents] : result.files) {  // std::map: sorted by name
    auto* file = response.add_files();
    file->set_name(name);
    file->set_contents(contents);
  }
  response.clear_warnings();
  for (const auto& warning : result.warnings) response.add_warnings(warning);
  response.mutable_summary()->set_clusters(result.clusters);
  response.mutable_summary()->set_predicted_speedup(result.predicted_speedup);
  if (!result.model_sha256.empty()) response.set_model_sha256(result.model_sha256);
}

driver::CompileResult result_from_response(const v1::CompileResponse& response) {
  driver::CompileResult result;
  for (const auto& file : response.files()) result.files[file.name()] = file.contents();
  result.warnings.assign(response.warnings().begin(), response.warnings().end());
  result.clusters = response.summary().clusters();
  result.predicted_speedup = response.summary().predicted_speedup();
  result.model_sha256 = response.model_sha256();
  return result;
}

}  // namespace ramiel::driver_proto
