// What a Slice node reads, per axis, following ONNX's clamping rules (shared by folding and
// no-op removal, which must agree on what "takes everything" means).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "core/ir/graph.h"

namespace ramiel::passes::fold {

// Axis i of the result holds elements start, start + step, ... (count of them) of input axis i.
struct SliceAxis {
  int64_t start = 0;
  int64_t step = 1;
  int64_t count = 0;
};

// One SliceAxis per axis of `data_shape` (a fully known shape), from the node's starts/ends/
// axes/steps: attributes before opset 10, inputs from 10. nullopt when a parameter is not a
// known constant or is invalid (step 0, repeated or out-of-range axis, length mismatch).
std::optional<std::vector<SliceAxis>> resolve_slice(const ir::Node& node,
                                                    const ir::Shape& data_shape);

}  // namespace ramiel::passes::fold
