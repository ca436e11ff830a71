// Convolutions: 2 FLOPs (multiply, add) per weight tap per output element, per group.
#include <algorithm>

#include "core/cost/op_cost.h"
#include "core/cost/shape_facts.h"
#include "core/cost/window.h"

namespace ramiel::cost {
namespace {

// QLinearConv passes scales and zero points between the data and the weight.
const ir::Value* weight_of(const ir::Node& node) {
  return node.input(node.op() == ir::OpKind::QLinearConv ? 3 : 1);
}
const ir::Value* bias_of(const ir::Node& node) {
  return node.input(node.op() == ir::OpKind::QLinearConv ? 8 : 2);
}

// Kernel spatial dims: from the weight when its shape is known, else kernel_shape.
std::vector<int64_t> kernel_dims(const std::vector<int64_t>& w, const ir::Node& node,
                                 size_t spatial_rank) {
  if (w.size() >= 2) return {w.begin() + 2, w.end()};
  std::vector<int64_t> k = node.attributes().get_ints("kernel_shape", {});
  k.resize(spatial_rank, 1);
  return k;
}

}  // namespace

OpWork conv_cost(const ir::Node& node) {
  const std::vector<int64_t> x = dims_of(node.input(0));
  const std::vector<int64_t> w = dims_of(weight_of(node));
  const std::vector<int64_t> y = dims_of(node.num_outputs() > 0 ? node.output(0) : nullptr);
  const int64_t group = std::max<int64_t>(node.attributes().get_int("group", 1), 1);

  const size_t spatial_rank = w.size() >= 2 ? w.size() - 2
                              : x.size() >= 2
                                  ? x.size() - 2
                                  : node.attributes().get_ints("kernel_shape", {}).size();
  const std::vector<int64_t> kernel = kernel_dims(w, node, spatial_rank);

  // Output positions: from the inferred output shape, else from the window attributes, which
  // is where dilation enters (a dilated kernel covers more input, so fewer outputs fit).
  std::vector<int64_t> out_spatial;
  if (y.size() == spatial_rank + 2) {
    out_spatial.assign(y.begin() + 2, y.end());
  } else if (x.size() == spatial_rank + 2) {
    out_spatial = window_output_dims({x.begin() + 2, x.end()}, kernel, node.attributes());
  }
  const double batch = static_cast<double>(dim_or(x, 0, dim_or(y, 0, 1)));
  // The output's channels first: a split convolution computes a range of the weight's.
  const double out_channels = static_cast<double>(dim_or(y, 1, dim_or(w, 0, 1)));
  const double in_channels_per_group =
      static_cast<double>(dim_or(w, 1, std::max<int64_t>(dim_or(x, 1, 1) / group, 1)));

  const double outputs = batch * out_channels * product(out_spatial, 0, out_spatial.size());
  const double taps = in_channels_per_group * product(kernel, 0, kernel.size());
  OpWork work;
  work.flops = 2.0 * outputs * taps + (bias_of(node) != nullptr ? outputs : 0.0);
  work.bytes =
      input_bytes(node) + (y.empty() ? outputs * 4.0 : output_bytes(node));  // float32 when unknown
  work.weight_bytes = constant_input_bytes(node);
  return work;
}

OpWork conv_transpose_cost(const ir::Node& node) {
  // Every input element scatters into (M / group) * prod(kernel) outputs of its group:
  // W is [C_in, M / group, k1, ..., kn].
  const std::vector<int64_t> x = dims_of(node.input(0));
  const std::vector<int64_t> w = dims_of(node.input(1));
  const size_t spatial_rank = x.size() >= 2 ? x.size() - 2 : 0;
  const std::vector<int64_t> kernel = kernel_dims(w, node, spatial_rank);
  const double inputs = elements_of(node.input(0));
  const double out_per_group = static_cast<double>(dim_or(w, 1, 1));
  OpWork work;
  work.flops = 2.0 * inputs * out_per_group * product(kernel, 0, kernel.size());
  if (node.input(2) != nullptr) work.flops += output_elements(node);
  work.bytes = io_bytes(node);
  work.weight_bytes = constant_input_bytes(node);
  return work;
}

}  // namespace ramiel::cost
