// The per-op cost table: for each ir::OpKind, a function computing the work a node does.
#pragma once

#include "core/ir/graph.h"
#include "core/ir/op_kind.h"

namespace ramiel::cost {

// The work of one node, independent of any machine.
struct OpWork {
  double flops = 0;  // arithmetic operations
  double bytes = 0;  // bytes read (inputs, constants included) and written (outputs)
  // Window elements visited by a sliding-window pooling kernel, in max-pool equivalents; these
  // kernels run far below both peak FLOP/s and bandwidth (DeviceProfile::pool_gops).
  double pool_window_ops = 0;
  // Elements a Python loop visits one at a time: string tensors are numpy arrays of str, and
  // their ops (Cast to and from STRING, StringNormalizer) call a str method per element.
  double python_elements = 0;
  // Bytes of a matrix-vector product (a matrix product with one output row), which runs at
  // DeviceProfile::matvec_gbps rather than at memory bandwidth.
  double matvec_bytes = 0;
  // Bytes of an element-wise op that overwrites its input (relu_, add_), which the op before
  // it has just written: they stay in cache and need no new memory, and run at
  // DeviceProfile::inplace_gbps instead of memory_gbps. `bytes` then leaves them out.
  double inplace_bytes = 0;
  // Bytes of constant weights a convolution or matrix product reads on each call, charged at
  // DeviceProfile::weight_gbps on top of its FLOPs (not for matrix-vector products, whose
  // matvec_bytes already count them).
  double weight_bytes = 0;
  // The part of `flops` spent in transcendental functions and normalizations, which run at
  // DeviceProfile::vector_gops instead of peak_gflops.
  double vector_ops = 0;
};

// Microseconds per element of such a loop: a guess (a str method call and a list append in
// CPython take a few tenths of a microsecond), not calibrated; it runs on one thread.
inline constexpr double kPythonElementUs = 0.2;

// Operations charged for one transcendental function (exp, log, tanh, erf, sigmoid, ...):
// vector math libraries evaluate a short polynomial, about 8 operations.
inline constexpr double kTranscendentalOps = 8;

// Computes a node's work from the static shapes of its values. Shapes may be partly or wholly
// unknown: functions then fall back to what is known and never fail.
using OpCostFn = OpWork (*)(const ir::Node& node);

// The function for `op`: every OpKind has one (ops without a specific model get a generic
// estimate from their input and output sizes).
OpCostFn op_cost_fn(ir::OpKind op);

// The op families, one small file each; op_cost_table.cc maps each OpKind to one of them.
OpWork conv_cost(const ir::Node& node);            // Conv, ConvInteger, QLinearConv
OpWork conv_transpose_cost(const ir::Node& node);  // ConvTranspose
OpWork gemm_cost(const ir::Node& node);            // Gemm
OpWork matmul_cost(const ir::Node& node);          // MatMul, MatMulInteger, QLinearMatMul
OpWork pool_cost(const ir::Node& node);            // MaxPool, AveragePool, LpPool
OpWork global_pool_cost(const ir::Node& node);     // GlobalAveragePool, GlobalMaxPool, ...
OpWork elementwise_cost(const ir::Node& node);     // unary, binary (broadcast), variadic
OpWork reduction_cost(const ir::Node& node);       // Reduce*, ArgMax, ArgMin, CumSum, TopK
OpWork softmax_cost(const ir::Node& node);         // Softmax, LogSoftmax, Hardmax
OpWork normalization_cost(const ir::Node& node);   // BatchNorm, LayerNorm, InstanceNorm, ...
OpWork data_movement_cost(const ir::Node& node);   // Concat, Transpose, Slice, Gather, Pad, ...
OpWork view_cost(const ir::Node& node);            // Reshape, Flatten, Squeeze, Identity, ...
OpWork resize_cost(const ir::Node& node);          // Resize, Upsample
OpWork recurrent_cost(const ir::Node& node);       // LSTM, GRU, RNN
OpWork generic_cost(const ir::Node& node);         // everything else
OpWork string_cost(const ir::Node& node);          // any node that touches strings, whatever its op

}  // namespace ramiel::cost
