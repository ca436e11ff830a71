// Evaluators of ops that move elements without computing: Gather, Concat, Slice, Split,
// Transpose, Tile, Expand. They copy element bytes, so they work for every numeric dtype.
#include "core/passes/fold/evaluator.h"
#include "core/passes/fold/index_math.h"
#include "core/passes/fold/slice_params.h"
#include "core/passes/operands.h"

namespace ramiel::passes::fold {
namespace {

using ir::OpKind;
using ir::Shape;
using ir::Tensor;

Shape counts_of(const std::vector<SliceAxis>& axes) {
  Shape shape;
  for (const SliceAxis& a : axes) shape.push_back(a.count);
  return shape;
}

// The elements `axes` select from `data` (the caller checked the result fits).
Tensor take_slice(const Tensor& data, const std::vector<SliceAxis>& axes) {
  const Shape shape = counts_of(axes);
  const std::vector<int64_t> strides = strides_of(data.shape());
  std::vector<int64_t> source;
  for_each_index(shape, [&](const std::vector<int64_t>& index) {
    int64_t flat = 0;
    for (size_t i = 0; i < index.size(); ++i) {
      flat += (axes[i].start + index[i] * axes[i].step) * strides[i];
    }
    source.push_back(flat);
  });
  return gather_elements(data, shape, source);
}

FoldResult eval_gather(const FoldContext& c) {
  const Tensor* data = c.tensor(0);
  const Tensor* indices = c.tensor(1);
  if (!data || !indices || !ir::is_integer(indices->dtype())) return std::nullopt;
  const Shape& in = data->shape();
  auto axis = normalize_axis(c.attributes().get_int("axis", 0), static_cast<int64_t>(in.size()));
  if (!axis) return std::nullopt;
  const auto a = static_cast<size_t>(*axis);
  const int64_t dim = in[a];
  std::vector<int64_t> index = indices->to_int64();
  for (int64_t& i : index) {
    if (i < 0) i += dim;  // negative indices count from the back
    if (i < 0 || i >= dim) return std::nullopt;
  }
  Shape out(in.begin(), in.begin() + *axis);
  out.insert(out.end(), indices->shape().begin(), indices->shape().end());
  out.insert(out.end(), in.begin() + *axis + 1, in.end());
  if (!c.fits(out)) return std::nullopt;
  const int64_t outer = product(in, 0, a);
  const int64_t inner = product(in, a + 1, in.size());
  std::vector<int64_t> source;
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t i : index) {
      for (int64_t k = 0; k < inner; ++k) source.push_back((o * dim + i) * inner + k);
    }
  }
  return one(gather_elements(*data, out, source));
}

FoldResult eval_concat(const FoldContext& c) {
  std::vector<const Tensor*> inputs;
  for (size_t i = 0; i < c.num_inputs(); ++i) {
    const Tensor* t = c.tensor(i);
    if (!t) return std::nullopt;
    inputs.push_back(t);
  }
  if (inputs.empty()) return std::nullopt;
  // Concat-1 defaulted the axis to 1; from opset 4 it is required.
  auto axis_attr = c.attributes().find_int("axis");
  if (!axis_attr && c.opset() >= 4) return std::nullopt;
  const Shape& first = inputs[0]->shape();
  const auto rank = static_cast<int64_t>(first.size());
  auto axis = normalize_axis(axis_attr.value_or(1), rank);
  if (!axis) return std::nullopt;
  const auto a = static_cast<size_t>(*axis);
  Shape out = first;
  out[a] = 0;
  for (const Tensor* t : inputs) {
    if (t->dtype() != inputs[0]->dtype() || t->shape().size() != first.size()) return std::nullopt;
    for (size_t i = 0; i < first.size(); ++i) {
      if (i != a && t->shape()[i] != first[i]) return std::nullopt;
    }
    out[a] += t->shape()[a];
  }
  if (!c.fits(out)) return std::nullopt;
  const size_t width = ir::dtype_size(inputs[0]->dtype());
  const int64_t outer = product(first, 0, a);
  std::vector<uint8_t> raw;
  raw.reserve(static_cast<size_t>(product(out, 0, out.size())) * width);
  for (int64_t o = 0; o < outer; ++o) {
    for (const Tensor* t : inputs) {
      const auto block = static_cast<size_t>(product(t->shape(), a, t->shape().size())) * width;
      const uint8_t* begin = t->raw().data() + static_cast<size_t>(o) * block;
      raw.insert(raw.end(), begin, begin + block);
    }
  }
  return one(Tensor(inputs[0]->dtype(), out, std::move(raw)));
}

FoldResult eval_slice(const FoldContext& c) {
  const Tensor* data = c.tensor(0);
  if (!data) return std::nullopt;
  auto axes = resolve_slice(c.node(), data->shape());
  if (!axes || !c.fits(counts_of(*axes))) return std::nullopt;
  return one(take_slice(*data, *axes));
}

FoldResult eval_split(const FoldContext& c) {
  const Tensor* data = c.tensor(0);
  if (!data || c.num_outputs() == 0) return std::nullopt;
  const Shape& in = data->shape();
  auto axis = normalize_axis(c.attributes().get_int("axis", 0), static_cast<int64_t>(in.size()));
  if (!axis) return std::nullopt;
  const auto a = static_cast<size_t>(*axis);
  const auto parts = static_cast<int64_t>(c.num_outputs());
  // Sizes were attribute "split" before opset 13 and input 1 from then on; without them the
  // axis splits evenly (opset 18's uneven last part is beyond the opsets Ramiel reads).
  IntsOperand split = ints_operand(c.node(), "split", 1, 13);
  std::vector<int64_t> sizes;
  if (split.present) {
    if (!split.values || static_cast<int64_t>(split.values->size()) != parts) return std::nullopt;
    sizes = *split.values;
  } else {
    if (in[a] % parts != 0) return std::nullopt;
    sizes.assign(static_cast<size_t>(parts), in[a] / parts);
  }
  int64_t total = 0;
  for (int64_t s : sizes) {
    if (s < 0) return std::nullopt;
    total += s;
  }
  if (total != in[a]) return std::nullopt;
  Tensors out;
  std::vector<SliceAxis> axes;
  for (int64_t dim : in) axes.push_back({0, 1, dim});
  int64_t offset = 0;
  for (int64_t s : sizes) {
    axes[a] = {offset, 1, s};
    offset += s;
    if (!c.fits(counts_of(axes))) return std::nullopt;
    out.push_back(take_slice(*data, axes));
  }
  return out;
}

FoldResult eval_transpose(const FoldContext& c) {
  const Tensor* data = c.tensor(0);
  if (!data) return std::nullopt;
  const Shape& in = data->shape();
  const auto rank = static_cast<int64_t>(in.size());
  std::vector<int64_t> perm;
  for (int64_t i = rank - 1; i >= 0; --i) perm.push_back(i);  // default: reverse the axes
  perm = c.attributes().get_ints("perm", perm);
  auto normalized = normalize_axes(perm, rank);
  if (!normalized || static_cast<int64_t>(normalized->size()) != rank) return std::nullopt;
  const std::vector<int64_t> in_strides = strides_of(in);
  Shape out;
  for (int64_t p : *normalized) out.push_back(in[static_cast<size_t>(p)]);
  std::vector<int64_t> source;
  for_each_index(out, [&](const std::vector<int64_t>& index) {
    int64_t flat = 0;
    for (size_t i = 0; i < index.size(); ++i) {
      flat += index[i] * in_strides[static_cast<size_t>((*normalized)[i])];
    }
    source.push_back(flat);
  });
  return one(gather_elements(*data, out, source));
}

FoldResult eval_tile(const FoldContext& c) {
  const Tensor* data = c.tensor(0);
  auto repeats = c.ints(1);
  // Tile-1 took tiles and axis inputs; Ramiel folds the opset-6 form.
  if (!data || !repeats || c.opset() < 6) return std::nullopt;
  const Shape& in = data->shape();
  if (repeats->size() != in.size()) return std::nullopt;
  Shape out;
  for (size_t i = 0; i < in.size(); ++i) {
    if ((*repeats)[i] < 0) return std::nullopt;
    out.push_back(in[i] * (*repeats)[i]);
  }
  if (!c.fits(out)) return std::nullopt;
  const std::vector<int64_t> strides = strides_of(in);
  std::vector<int64_t> source;
  for_each_index(out, [&](const std::vector<int64_t>& index) {
    int64_t flat = 0;
    for (size_t i = 0; i < index.size(); ++i) flat += (index[i] % in[i]) * strides[i];
    source.push_back(flat);
  });
  return one(gather_elements(*data, out, source));
}

FoldResult eval_expand(const FoldContext& c) {
  const Tensor* data = c.tensor(0);
  auto shape = c.ints(1);
  if (!data || !shape) return std::nullopt;
  for (int64_t dim : *shape) {
    if (dim < 0) return std::nullopt;
  }
  auto out = broadcast_shapes({data->shape(), *shape});
  if (!out || !c.fits(*out)) return std::nullopt;
  return one(gather_elements(*data, *out, broadcast_sources(data->shape(), *out)));
}

}  // namespace

void register_movement_evaluators(FoldTable& table) {
  set_rule(table, OpKind::Gather, eval_gather);
  set_rule(table, OpKind::Concat, eval_concat);
  set_rule(table, OpKind::Slice, eval_slice);
  set_rule(table, OpKind::Split, eval_split);
  set_rule(table, OpKind::Transpose, eval_transpose);
  set_rule(table, OpKind::Tile, eval_tile);
  set_rule(table, OpKind::Expand, eval_expand);
}

}  // namespace ramiel::passes::fold
