// Helpers shared by the emitter families, and the registration function of each family.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/codegen/torch/emitter.h"

namespace ramiel::codegen::emitters {

// Each family fills the table entries of its ops (emitter_table.cc calls them all).
void register_elementwise(EmitterTable& table);
void register_activation(EmitterTable& table);
void register_matmul(EmitterTable& table);
void register_conv(EmitterTable& table);
void register_pool(EmitterTable& table);
void register_normalization(EmitterTable& table);
void register_reduce(EmitterTable& table);
void register_shape(EmitterTable& table);
void register_constant(EmitterTable& table);
void register_indexing(EmitterTable& table);
void register_loss(EmitterTable& table);
void register_resize(EmitterTable& table);
void register_rnn(EmitterTable& table);
void register_math(EmitterTable& table);
void register_layout(EmitterTable& table);
void register_unpool(EmitterTable& table);
void register_quantize(EmitterTable& table);
void register_signal(EmitterTable& table);
void register_detection(EmitterTable& table);
void register_text(EmitterTable& table);
void register_training(EmitterTable& table);
void register_sequence(EmitterTable& table);

// The emitter of a node that reads or makes string tensors (strings.cc): UNIMPLEMENTED naming
// node, op and opset for ops that cannot take them.
Status emit_string_node(EmitContext& ctx);

// The type Cast (`to`) or CastLike (input 1's type) converts to.
StatusOr<ir::DType> cast_target(const EmitContext& ctx);

// One table entry: the emitter of `op`.
inline void set(EmitterTable& table, ir::OpKind op, Emitter emitter) {
  table[static_cast<size_t>(op)] = emitter;
}

// Whether input i is float32 or float64, the float dtypes every torch CPU kernel takes (torch
// 1.13 lacks float16 addmv, addcmul and rsqrt, and float16 and bfloat16 reflection padding).
bool input_is_float32_or_64(const EmitContext& ctx, size_t i);

// `name(args..., keywords...)` through a runtime helper (runtime/helpers*.py).
StatusOr<py::ExprPtr> helper_call(EmitContext& ctx, std::string_view name,
                                  std::vector<py::ExprPtr> args, py::Keywords keywords = {});
// Input i as a Python int: a literal when its one element is known at compile time, else
// `int(x)` read at run time.
StatusOr<py::ExprPtr> int_input(EmitContext& ctx, size_t i);

// `axis` in [-rank, rank) made non-negative; INVALID_ARGUMENT otherwise.
StatusOr<int64_t> normalize_axis(const EmitContext& ctx, int64_t axis, int64_t rank);
// "[1, 2, 3]", for messages.
std::string ints_text(const std::vector<int64_t>& values);
bool all_equal_to(const std::vector<int64_t>& values, int64_t value);
// `2` when every value is 2, else `(2, 3)`: how torch's conv and pool arguments read best.
py::ExprPtr int_or_tuple(const std::vector<int64_t>& values);
// Whether a dimension count from the IR is known (not ir::kUnknownDim).
inline bool known(int64_t dim) {
  return dim >= 0;
}
// The dims of a shape, when every one is known.
bool fully_known(const ir::Shape& shape);

}  // namespace ramiel::codegen::emitters
