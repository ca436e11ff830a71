// The ramiel operator library: torch.ops.ramiel.*, loaded by the generated programs' runtime
// (torch.ops.load_library) when it finds this file; programs run without it, more slowly.
#include <torch/library.h>

#include "kernels/conv2d.h"
#include "kernels/global_avg_pool2d.h"
#include "kernels/matmul.h"
#include "kernels/max_pool2d.h"

TORCH_LIBRARY(ramiel, m) {
  m.class_<ramiel::kernels::Conv2d>("Conv2d");
  m.def(
      "conv2d_prepack(Tensor weight, Tensor? bias, int[2] stride, int[2] padding, "
      "int[2] dilation, int groups, int[4] input_size, str activation) "
      "-> __torch__.torch.classes.ramiel.Conv2d",
      ramiel::kernels::conv2d_prepack);
  m.def("conv2d_run(Tensor input, __torch__.torch.classes.ramiel.Conv2d conv) -> Tensor",
        ramiel::kernels::conv2d_run);
  m.def(
      "max_pool2d(Tensor input, int[2] kernel, int[2] stride, int[2] padding, bool ceil_mode) "
      "-> Tensor",
      ramiel::kernels::max_pool2d);
  m.class_<ramiel::kernels::MatMul>("MatMul").def("implementation",
                                                  &ramiel::kernels::MatMul::implementation);
  m.def(
      "matmul_prepack(int[] a_sizes, int[] a_strides, int[] b_sizes, int[] b_strides, "
      "int[] order, float scale) -> __torch__.torch.classes.ramiel.MatMul",
      ramiel::kernels::matmul_prepack);
  m.def("matmul_run(Tensor a, Tensor b, __torch__.torch.classes.ramiel.MatMul product) -> Tensor",
        ramiel::kernels::matmul_run);
  m.def("global_avg_pool2d(Tensor input) -> Tensor", ramiel::kernels::global_avg_pool2d);
}
