#include "core/frontend/function_calls.h"

#include <algorithm>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace ramiel::frontend {
namespace {

using FunctionKey = std::pair<std::string, std::string>;  // domain, name

std::string label(const FunctionKey& key) {
  return "'" + (key.first.empty() ? key.second : key.first + "." + key.second) + "'";
}

// The functions of `index` that nodes in `nodes` (and in their subgraphs) call.
void collect_calls(const google::protobuf::RepeatedPtrField<onnx::NodeProto>& nodes,
                   const std::map<FunctionKey, int>& index, std::vector<int>& calls) {
  for (const auto& node : nodes) {
    auto it = index.find({node.domain(), node.op_type()});
    if (it != index.end()) calls.push_back(it->second);
    for (const auto& attr : node.attribute()) {
      if (attr.has_g()) collect_calls(attr.g().node(), index, calls);
      for (const auto& g : attr.graphs()) collect_calls(g.node(), index, calls);
    }
  }
}

class CallGraph {
 public:
  CallGraph(const onnx::ModelProto& model, const std::map<FunctionKey, int>& index)
      : keys_(index.size()),
        calls_(index.size()),
        depth_(index.size(), 0),
        state_(index.size(), kNew) {
    for (const auto& [key, i] : index) keys_[static_cast<size_t>(i)] = key;
    for (const auto& f : model.functions()) {
      const int i = index.at({f.domain(), f.name()});
      collect_calls(f.node(), index, calls_[static_cast<size_t>(i)]);
    }
  }

  // The longest chain of calls starting with function `f` (1 for a function that calls none),
  // reached through `callers` calls. A chain over `limit` is refused as soon as it is seen, so
  // the recursion stays within limit + 1 frames whatever the model holds.
  StatusOr<int64_t> depth(int f, int64_t callers, int64_t limit) {
    const auto i = static_cast<size_t>(f);
    if (state_[i] == kOnPath) {
      return invalid_argument("model-local function " + label(keys_[i]) +
                              " calls itself (directly or through other functions); recursion "
                              "is not allowed");
    }
    if (state_[i] == kNew) {
      if (callers + 1 > limit) return too_deep(f, limit);
      state_[i] = kOnPath;
      int64_t deepest = 0;
      for (int callee : calls_[i]) {
        RAMIEL_ASSIGN_OR_RETURN(int64_t d, depth(callee, callers + 1, limit));
        deepest = std::max(deepest, d);
      }
      state_[i] = kDone;
      depth_[i] = deepest + 1;
    }
    if (callers + depth_[i] > limit) return too_deep(f, limit);
    return depth_[i];
  }

 private:
  Status too_deep(int f, int64_t limit) const {
    return invalid_argument("calls of model-local functions (through " +
                            label(keys_[static_cast<size_t>(f)]) + ") nest deeper than " +
                            ir::limit_text("max_function_depth", limit));
  }

  enum State { kNew, kOnPath, kDone };
  std::vector<FunctionKey> keys_;
  std::vector<std::vector<int>> calls_;
  std::vector<int64_t> depth_;
  std::vector<State> state_;
};

}  // namespace

Status check_function_calls(const onnx::ModelProto& model, const ir::ModelLimits& limits) {
  if (model.functions_size() == 0) return ok_status();
  std::map<FunctionKey, int> index;
  for (const auto& f : model.functions()) {
    FunctionKey key{f.domain(), f.name()};
    if (index.count(key))
      return invalid_argument("model-local function " + label(key) + " is defined twice");
    index.emplace(std::move(key), static_cast<int>(index.size()));
  }
  // Every function, called or not: ONNX code may read any of them.
  CallGraph calls(model, index);
  for (int f = 0; f < static_cast<int>(index.size()); ++f) {
    RAMIEL_RETURN_IF_ERROR(calls.depth(f, 0, limits.max_function_depth).status());
  }
  return ok_status();
}

}  // namespace ramiel::frontend
