#include "core/passes/fold/elementwise.h"

namespace ramiel::passes::fold {

std::optional<std::vector<const ir::Tensor*>> same_dtype_inputs(const FoldContext& context) {
  std::vector<const ir::Tensor*> inputs;
  for (size_t i = 0; i < context.num_inputs(); ++i) {
    const ir::Tensor* t = context.tensor(i);
    if (!t || !is_numeric(t->dtype())) return std::nullopt;
    if (!inputs.empty() && t->dtype() != inputs[0]->dtype()) return std::nullopt;
    inputs.push_back(t);
  }
  if (inputs.empty()) return std::nullopt;
  return inputs;
}

std::optional<BroadcastPlan> plan_broadcast(const FoldContext& context) {
  std::vector<ir::Shape> shapes;
  for (size_t i = 0; i < context.num_inputs(); ++i) {
    const ir::Tensor* t = context.tensor(i);
    if (!t) return std::nullopt;
    shapes.push_back(t->shape());
  }
  auto shape = broadcast_shapes(shapes);
  if (!shape || !context.fits(*shape)) return std::nullopt;
  BroadcastPlan plan{*shape, {}};
  for (const ir::Shape& s : shapes) plan.sources.push_back(broadcast_sources(s, *shape));
  return plan;
}

}  // namespace ramiel::passes::fold
