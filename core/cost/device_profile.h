// What the cost model knows about the machine that will run the generated program.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/support/status.h"

namespace ramiel::cost {

struct DeviceProfile {
  // Measured on the reference machine (2-core AMD EPYC VM, Debian's torch 1.13) with a
  // generated program's `python3 model.py --calibrate FILE` (core/codegen/runtime/calibrate.py),
  // which writes every key below but co_run_slowdown and transfer_gbps, rounded from the medians
  // of several runs. The one-thread rates are timed at one intra-op thread; the intra-op keys fit
  // the same kernels' times at every core, as load() runs a program by default. Kernels are
  // timed in a program's conditions (round-robin, each call after its input was written, weights
  // cold), not each in a loop of its own, which keeps weights in cache and threads spinning and
  // made every op look 2x faster on two cores where programs' ops scaled 1.0-1.7x.
  std::string name = "default";
  // FLOP/s (x1e9) of one core on convolutions as the programs call them (channels-last, with a
  // bias), fitted with weight_gbps over fourteen shapes from the reference models (stems, 1x1,
  // 3x3 and 5x5 layers at 224 to 7 pixels, a depthwise layer) and three transformer matmuls.
  // Convolutions are most of every model's time, so this is the rate every op's FLOPs are
  // planned with, but for vector_ops.
  double peak_gflops = 72.0;
  // Bytes per second (x1e9) one core moves through element-wise ops and copies at batch-1
  // activation sizes that write a new tensor (add and cat of 0.2 to 3 MB tensors, a dense
  // block's cat of eight narrow pieces, a trained batch norm's addcmul): total work over total
  // time, less dispatch. Each is timed as its second call in a row, writing into memory just
  // freed, as a program's element-wise ops do (calibrate.py, _RECALLED_KINDS); so are the
  // kernels of inplace_gbps and vector_gops.
  double memory_gbps = 28.0;
  // The same for element-wise ops that overwrite their input (relu_ of 0.4 to 3 MB tensors, as
  // programs run a ReLU whose input nothing else reads): no new memory, and the input still in
  // cache from the op that wrote it: 121 against 31 GB/s on the reference machine, whose
  // programs' ReLUs were predicted 2.4-2.8x slower than they ran at one blended rate. The
  // built-in profile predates this key: its rate is memory_gbps'.
  double inplace_gbps = 28.0;
  // Fixed cost of dispatching one operator from Python through PyTorch: the mean over tiny
  // conv2d, relu, add, max_pool2d, cat, reshape, batch_norm, linear and softmax calls, timed
  // round-robin among themselves (as a program's runs of small ops; after a large kernel a tiny
  // one waits for its code and data to come back to the cache, which is that kernel's cost).
  double op_overhead_us = 2.3;
  // The same fixed cost for an op in a cluster load() runs traced (frozen or prepacked), which
  // TorchScript's interpreter dispatches without Python: the same tiny ops traced into one graph
  // (the convolution prepacked and the pooling native where the prepacked engine would), per op
  // of a call of that graph. On the reference machine 2.3-4.2 us where op_overhead_us came out
  // 2.9-9.3 in the same calibrations: Python's calls, each timed on its own, vary with the VM's
  // state more than the graph's do. Charged at op_overhead_us, the transformer encoder's 90
  // dispatched nodes were predicted 1.24x its measured time, 1.18x at this one.
  // A profile without the key (the built-in one predates it) uses op_overhead_us.
  double traced_op_overhead_us = 2.3;
  // Window elements per second (x1e9) of sliding-window pooling, which in this torch is
  // neither compute- nor bandwidth-bound: max_pool2d 3x3/2 on an NCHW 1x64x112x112 tensor does
  // 1.8M window compares in 5.2 ms, 0.35 Gop/s; on channels-last tensors, which the generated
  // programs use for 4-D activations (and the calibration times: 3x3/2 at 112 pixels and 3x3/1
  // at 14), the same pooling runs at 5 Gop/s.
  double pool_gops = 5.0;
  // The same for a max pooling that the prepacked engine runs as a max over rows, then over
  // columns, without indices (runtime/separable_pools.py; codegen::pools_separably): calibrated
  // on 3x3/2 at 112 pixels and 3x3/1 at 28 as that engine runs them, in a program's conditions
  // (5.1 against pool_gops' 3.9 on the reference machine, though 1.35-3.5x faster each in a
  // loop of its own). Profiles from before this key get pool_gops' built-in rate times that.
  double separable_pool_gops = 6.5;
  // Bytes per second (x1e9) of a matrix-vector product (a Gemm or MatMul with one row: a
  // classifier at batch 1), which reads its weights below memory_gbps in this torch. Calibrated
  // on a 2048->1000 classifier as programs run it (torch.addmv). The built-in rate is F.linear's,
  // which programs used before: in the reference models' --profile, GoogLeNet's 1024->1000
  // classifier took 0.8 ms and ResNet-50's and Inception-v3's 2048->1000 ones 1.5 ms.
  double matvec_gbps = 5.0;
  // Bytes per second (x1e9) at which a convolution or matrix product (not a matrix-vector one)
  // reads its constant weights on each call, on top of its FLOPs at peak_gflops: eager oneDNN
  // and BLAS calls reorder or pack the weights every time, and a program's weights are cold
  // (each is used once per run). Calibrated with peak_gflops by least squares over the
  // convolutions and matrix products, whose weights run from kilobytes to megabytes; the
  // built-in profile predates this term, so its rate leaves it out.
  double weight_gbps = 1e6;
  // Operations per second (x1e9) of the kernels that evaluate transcendental functions or
  // normalize (exp, erf, tanh, sigmoid, gelu; softmax; layer and instance norm, and batch norm
  // with statistics known only at run time), which at batch 1 run far below peak_gflops and
  // above their bytes' time: gelu on 128x1024 floats took 140 us, 8 operations per element at
  // 7.5 Gop/s. Calibrated on gelu, sigmoid, softmax and layer_norm; the built-in profile
  // predates it (peak_gflops). A trained batch norm is a stream (memory_gbps): one addcmul.
  double vector_gops = 72.0;
  // Cost of handing a tensor to another worker: latency plus bytes at transfer bandwidth.
  // Latency: half a round trip between two Python threads over threading.Event (calibrated).
  // Bandwidth: the extra time of reading a tensor another thread wrote grew with size no faster
  // than streaming memory bandwidth when it was measured; the calibration leaves it alone.
  double transfer_latency_us = 28.0;
  double transfer_gbps = 28.0;

  // Intra-op parallelism: a "wide" worker runs an op with all `cores` threads. Its roofline
  // part speeds up by 1 + (cores - 1) * efficiency * r / (r + intra_op_half_us), where r is the
  // op's one-thread roofline time: big kernels scale by nearly `efficiency` per extra core, an
  // op of intra_op_half_us by half that, tiny ones not at all; each parallel op also pays
  // intra_op_sync_us to fork and join its threads.
  double cores = 2;
  double intra_op_efficiency = 0.85;
  double intra_op_half_us = 40.0;
  double intra_op_sync_us = 3.0;
  // The same half point for a compute-bound op (its FLOPs the largest term of its roofline: a
  // convolution, a matrix product). oneDNN's kernels split small problems well where element-wise
  // ops, bound by memory the cores share, do not: one curve for both made DenseNet-121's many
  // mid-sized convolutions 1.25x slower than they ran. A profile without the key uses
  // intra_op_half_us.
  double compute_intra_op_half_us = 40.0;

  // How much slower a staged program's narrow stretches run than their nodes' solo times add
  // up to; at least 1. First measured as 2.3x on GoogLeNet's profile-guided staged schedule,
  // while the wide worker's idle threads still spun beside the narrow ones and the profile's
  // split convolutions were matched to the wrong nodes. With both fixed, narrow nodes run within
  // 5% of their solo times, yet staged programs still lose here: their wide stretches run
  // 1.3-1.4x slower (with spinning cut short, every op wakes the wide team's sleeping helper)
  // and hand-offs wait. GoogLeNet's staged schedules measured 0.84-1.0x of the serial program
  // where a factor of 1 predicted 1.06-1.20x; 2.0 keeps such schedules from being chosen.
  double co_run_slowdown = 2.0;

  // The built-in profile: the measured numbers above.
  static DeviceProfile defaults() { return {}; }
  // Starts from defaults() and overrides the keys the JSON object names; malformed JSON,
  // unknown keys, wrong types and non-positive numbers are INVALID_ARGUMENT naming the key.
  static StatusOr<DeviceProfile> from_json(std::string_view json_text);
  // All keys, sorted, so that from_json(to_json()) round-trips and the text is deterministic.
  std::string to_json() const;
  // The same document as a JSON value, for reports that embed it.
  nlohmann::json to_json_value() const;
};

}  // namespace ramiel::cost
