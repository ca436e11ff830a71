// Evaluators of ops that move elements without computing: Gather, Concat, Slice, Split,
// Transpose, Tile, Expand. They copy element bytes, so they work for every numeric dtype.
#include "core/passes/fold/evaluator.h"
#include "core/passes/fold/index_math.h"
#include "core/passes/fold/shape_rules.h"
#include "core/passes/fold/slice_params.h"

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
  auto result = gather_result(c.node(), data->shape(), indices->shape());
  if (!result || !c.fits(result->shape)) return std::nullopt;
  const Shape& in = data->shape();
  const int64_t dim = in[result->axis];
  std::vector<int64_t> index = indices->to_int64();
  for (int64_t& i : index) {
    if (i < 0) i += dim;  // negative indices count from the back
    if (i < 0 || i >= dim) return std::nullopt;
  }
  const int64_t outer = product(in, 0, result->axis);
  const int64_t inner = product(in, result->axis + 1, in.size());
  std::vector<int64_t> source;
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t i : index) {
      for (int64_t k = 0; k < inner; ++k) source.push_back((o * dim + i) * inner + k);
    }
  }
  return one(gather_elements(*data, result->shape, source));
}

FoldResult eval_concat(const FoldContext& c) {
  std::vector<const Tensor*> inputs;
  std::vector<Shape> shapes;
  for (size_t i = 0; i < c.num_inputs(); ++i) {
    const Tensor* t = c.tensor(i);
    if (!t || (!inputs.empty() && t->dtype() != inputs[0]->dtype())) return std::nullopt;
    inputs.push_back(t);
    shapes.push_back(t->shape());
  }
  auto result = concat_result(c.node(), shapes);
  if (!result || !c.fits(result->shape)) return std::nullopt;
  const size_t width = ir::dtype_size(inputs[0]->dtype());
  const int64_t outer = product(shapes[0], 0, result->axis);
  std::vector<uint8_t> raw;
  raw.reserve(static_cast<size_t>(product(result->shape, 0, result->shape.size())) * width);
  for (int64_t o = 0; o < outer; ++o) {
    for (const Tensor* t : inputs) {
      const Shape& s = t->shape();
      const auto block = static_cast<size_t>(product(s, result->axis, s.size())) * width;
      const uint8_t* begin = t->raw().data() + static_cast<size_t>(o) * block;
      raw.insert(raw.end(), begin, begin + block);
    }
  }
  return one(Tensor(inputs[0]->dtype(), result->shape, std::move(raw)));
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
  if (!data) return std::nullopt;
  auto parts = split_parts(c.node(), data->shape());
  if (!parts) return std::nullopt;
  std::vector<SliceAxis> axes;
  for (int64_t dim : data->shape()) axes.push_back({0, 1, dim});
  Tensors out;
  int64_t offset = 0;
  for (int64_t size : parts->sizes) {
    axes[parts->axis] = {offset, 1, size};
    offset += size;
    if (!c.fits(counts_of(axes))) return std::nullopt;
    out.push_back(take_slice(*data, axes));
  }
  return out;
}

FoldResult eval_transpose(const FoldContext& c) {
  const Tensor* data = c.tensor(0);
  if (!data) return std::nullopt;
  const Shape& in = data->shape();
  auto perm = transpose_perm(c.node(), in.size());
  if (!perm) return std::nullopt;
  const std::vector<int64_t> in_strides = strides_of(in);
  Shape out;
  for (int64_t p : *perm) out.push_back(in[static_cast<size_t>(p)]);
  if (!c.fits(out)) return std::nullopt;
  std::vector<int64_t> source;
  for_each_index(out, [&](const std::vector<int64_t>& index) {
    int64_t flat = 0;
    for (size_t i = 0; i < index.size(); ++i) {
      flat += index[i] * in_strides[static_cast<size_t>((*perm)[i])];
    }
    source.push_back(flat);
  });
  return one(gather_elements(*data, out, source));
}

FoldResult eval_tile(const FoldContext& c) {
  const Tensor* data = c.tensor(0);
  if (!data) return std::nullopt;
  auto out = tile_result(c.node(), data->shape());
  if (!out || !c.fits(*out)) return std::nullopt;
  const Shape& in = data->shape();
  const std::vector<int64_t> strides = strides_of(in);
  std::vector<int64_t> source;
  for_each_index(*out, [&](const std::vector<int64_t>& index) {
    int64_t flat = 0;
    for (size_t i = 0; i < index.size(); ++i) flat += (index[i] % in[i]) * strides[i];
    source.push_back(flat);
  });
  return one(gather_elements(*data, *out, source));
}

FoldResult eval_expand(const FoldContext& c) {
  const Tensor* data = c.tensor(0);
  if (!data) return std::nullopt;
  auto out = expand_result(c.node(), data->shape());
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
