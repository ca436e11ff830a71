#include "core/frontend/inference_guards.h"

#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include <onnx/defs/schema.h>
#include <onnx/defs/shape_inference.h>

namespace ramiel::frontend {
namespace {

using onnx::InferenceContext;

// The rank of input `index` when inference knows it, else -1.
int known_rank(InferenceContext& context, size_t index) {
  if (index >= context.getNumInputs()) return -1;
  const onnx::TypeProto* type = context.getInputType(index);
  if (type == nullptr || !type->has_tensor_type() || !type->tensor_type().has_shape()) return -1;
  return type->tensor_type().shape().dim_size();
}

void require_rank(InferenceContext& context, size_t index, int rank, const char* what) {
  const int actual = known_rank(context, index);
  if (actual >= 0 && actual != rank) {
    fail_shape_inference(what, " must have rank ", rank, ", not ", actual);
  }
}

// Strides, dilations and kernel sizes divide and size the output: each must be positive.
void require_positive_window(InferenceContext& context) {
  for (const char* name : {"strides", "dilations", "kernel_shape"}) {
    const onnx::AttributeProto* attribute = context.getAttribute(name);
    if (attribute == nullptr) continue;
    for (const int64_t value : attribute->ints()) {
      if (value <= 0)
        fail_shape_inference("every value of '", name, "' must be positive, not ", value);
    }
  }
}

using Check = std::function<void(InferenceContext&)>;

// The `axis` attribute (or its default, when absent) names a dimension of input 0: within
// [-rank, rank). A scalar has none, so even the default -1 is out of range there.
Check require_axis_in_range(int64_t default_axis) {
  return [default_axis](InferenceContext& context) {
    const onnx::AttributeProto* attribute = context.getAttribute("axis");
    const int64_t axis = attribute != nullptr ? attribute->i() : default_axis;
    const int rank = known_rank(context, 0);
    if (rank >= 0 && (axis < -rank || axis >= rank)) {
      fail_shape_inference("axis ", axis, " is outside [", -rank, ", ", rank, ")");
    }
  };
}

// Conv-like: X (input 0) is (N, C, spatial...) and the weights (input `weights`) have X's rank.
void require_conv_ranks(InferenceContext& context, size_t weights) {
  const int x_rank = known_rank(context, 0);
  if (x_rank >= 0 && x_rank < 3) fail_shape_inference("X must have rank 3 or more, not ", x_rank);
  if (x_rank >= 0) require_rank(context, weights, x_rank, "the weights (like X)");
}

// Conv, ConvTranspose, ConvInteger: weights are input 1; QLinearConv: input 3.
Check conv_guard(size_t weights) {
  return [weights](InferenceContext& c) {
    require_positive_window(c);
    require_conv_ranks(c, weights);
  };
}

// MaxUnpool without output_shape reads dimension 1 of the indices' shape unchecked: the indices
// (input 1) must have a known shape of X's rank, as the spec says they do.
void require_unpool_indices(InferenceContext& context) {
  require_positive_window(context);
  const int x_rank = known_rank(context, 0);
  if (x_rank < 0 || context.getNumInputs() > 2) return;
  const int indices_rank = known_rank(context, 1);
  if (indices_rank != x_rank) {
    fail_shape_inference("the indices must have X's shape (rank ", x_rank, "), not ",
                         indices_rank < 0 ? std::string("an unknown shape")
                                          : "rank " + std::to_string(indices_rank));
  }
}

struct Guard {
  const char* op;
  Check check;
};

std::vector<Guard> guards() {
  return {
      {"Conv", conv_guard(1)},
      {"ConvTranspose", conv_guard(1)},
      {"ConvInteger", conv_guard(1)},
      {"QLinearConv", conv_guard(3)},
      {"MaxPool", require_positive_window},
      {"AveragePool", require_positive_window},
      {"LpPool", require_positive_window},
      {"MaxUnpool", require_unpool_indices},
      {"Gemm",
       [](InferenceContext& c) {
         require_rank(c, 0, 2, "A");
         require_rank(c, 1, 2, "B");
       }},
      {"STFT", [](InferenceContext& c) { require_rank(c, 0, 3, "signal"); }},
      {"LayerNormalization", require_axis_in_range(-1)},
  };
}

// Opsets whose schemas are wrapped: every ai.onnx version up to well past onnx 1.12's newest.
constexpr int kMaxOpsetVersion = 30;

void install() {
  std::set<const onnx::OpSchema*> wrapped;
  for (const Guard& guard : guards()) {
    for (int version = 1; version <= kMaxOpsetVersion; ++version) {
      const onnx::OpSchema* schema = onnx::OpSchemaRegistry::Schema(guard.op, version, "");
      if (schema == nullptr || !wrapped.insert(schema).second) continue;
      onnx::InferenceFunction original = schema->GetTypeAndShapeInferenceFunction();
      // The registry hands out const schemas, but owns them as mutable objects; replacing the
      // inference function is what OpSchema's own setter is for.
      const_cast<onnx::OpSchema*>(schema)->TypeAndShapeInferenceFunction(
          [check = guard.check, original](InferenceContext& context) {
            check(context);
            if (original) original(context);
          });
    }
  }
}

}  // namespace

void install_shape_inference_guards() {
  static std::once_flag once;
  std::call_once(once, install);
}

}  // namespace ramiel::frontend
