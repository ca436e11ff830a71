// Pooling: one operation per window element per output; global pools read every input once.
#include "core/cost/op_cost.h"
#include "core/cost/shape_facts.h"
#include "core/cost/window.h"

namespace ramiel::cost {
namespace {

// avg_pool2d on NCHW runs about 3x faster than max_pool2d in this torch (1.77 ms against
// 5.26 ms for 3x3/2 on 1x64x112x112, the calibration's max-pool shape), so an
// average-pool window element counts as a third of a max-pool one.
constexpr double kAveragePoolWindowWeight = 1.0 / 3.0;

}  // namespace

OpWork pool_cost(const ir::Node& node) {
  const std::vector<int64_t> x = dims_of(node.input(0));
  const std::vector<int64_t> y = dims_of(node.num_outputs() > 0 ? node.output(0) : nullptr);
  std::vector<int64_t> kernel = node.attributes().get_ints("kernel_shape", {});
  const size_t spatial_rank = x.size() >= 2 ? x.size() - 2 : kernel.size();
  kernel.resize(spatial_rank, 1);

  std::vector<int64_t> out_spatial;
  if (y.size() == spatial_rank + 2) {
    out_spatial.assign(y.begin() + 2, y.end());
  } else if (x.size() == spatial_rank + 2) {
    out_spatial = window_output_dims({x.begin() + 2, x.end()}, kernel, node.attributes());
  }
  const double planes = static_cast<double>(dim_or(x, 0, dim_or(y, 0, 1))) *
                        static_cast<double>(dim_or(x, 1, dim_or(y, 1, 1)));
  const double outputs = planes * product(out_spatial, 0, out_spatial.size());
  const double window_ops = outputs * product(kernel, 0, kernel.size());

  OpWork work;
  // LpPool raises every element to p before summing: two operations per window element.
  work.flops = node.op() == ir::OpKind::LpPool ? 2.0 * window_ops : window_ops;
  work.pool_window_ops =
      node.op() == ir::OpKind::AveragePool ? window_ops * kAveragePoolWindowWeight : window_ops;
  work.bytes = input_bytes(node) + (y.empty() ? outputs * 4.0 : output_bytes(node));
  return work;
}

OpWork global_pool_cost(const ir::Node& node) {
  // A plain reduction over the spatial dims: these kernels run at memory speed.
  const double inputs = elements_of(node.input(0));
  OpWork work;
  work.flops = node.op() == ir::OpKind::GlobalLpPool ? 2.0 * inputs : inputs;
  work.bytes = io_bytes(node);
  return work;
}

}  // namespace ramiel::cost
