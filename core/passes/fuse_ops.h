// Fuses the decompositions exporters write back into the single ops PyTorch has kernels for.
//
// torch.onnx.export at opset 13 spells nn.LayerNorm as nine nodes (ReduceMean, Sub, Pow,
// ReduceMean, Add, Sqrt, Div, Mul, Add) and nn.GELU as five (Div by sqrt(2), Erf, Add 1, Mul by
// x, Mul by 0.5). Run one by one, each node is a kernel launch and a temporary tensor; fused,
// they are one call of F.layer_norm or F.gelu, which compute the same values. nn.AvgPool2d with
// padding is spelled Pad (zeros) then an AveragePool that excludes padding: one AveragePool
// that pads and counts the padding is one call instead of a padded copy and a pool (Inception-v3:
// nine Pads, 0.6 ms at two threads). A pattern is fused only when its intermediate results are
// read by nothing else.
#pragma once

#include "core/passes/pass.h"

namespace ramiel::passes {

// Counter of fused patterns (each replaced by one node).
inline constexpr const char* kFusedCounter = "fused";

StatusOr<bool> fuse_ops(ir::Graph& graph, PassContext& context);

}  // namespace ramiel::passes
