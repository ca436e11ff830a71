// ramiel::matmul_prepack / matmul_run: a product of two activations (attention's Q K^T and
// softmax V) whose oneDNN primitive is built once, for the strides the trace saw.
#pragma once

#include <ATen/ATen.h>
#include <torch/custom_class.h>

#include <dnnl.hpp>

#include <string>
#include <vector>

namespace ramiel::kernels {

// PyTorch 1.13 multiplies batched strided operands through its BLAS, head by head: at a
// Transformer encoder's attention (4 heads, 128x64 by 64x128) 66-120 us at two threads on an
// AMD EPYC, where oneDNN's jit gemm reads the same strided views in 26 us. The primitive also
// folds a constant scale into the product (attention's division by sqrt(d)) and writes the
// output in the memory order the reader wants (`order`: the dims outermost first), so that a
// permute and reshape after it read it without a copy.
class MatMul : public torch::CustomClassHolder {
 public:
  MatMul(std::vector<int64_t> a_sizes, std::vector<int64_t> a_strides, std::vector<int64_t> b_sizes,
         std::vector<int64_t> b_strides, std::vector<int64_t> order, double scale);

  // a @ b * scale. Operands of other sizes or strides than those packed for are multiplied by
  // PyTorch instead: the same values, in PyTorch's layout.
  at::Tensor run(const at::Tensor& a, const at::Tensor& b) const;

  // oneDNN's name for the implementation it chose ("gemm:jit"; "ref" is its slow fallback).
  std::string implementation() const { return implementation_; }

 private:
  std::vector<int64_t> a_sizes_, a_strides_, b_sizes_, b_strides_;
  std::vector<int64_t> output_sizes_, output_strides_;
  double scale_;
  dnnl::memory::desc a_, b_, output_, scratchpad_;
  dnnl::matmul primitive_;
  std::string implementation_;
};

c10::intrusive_ptr<MatMul> matmul_prepack(std::vector<int64_t> a_sizes,
                                          std::vector<int64_t> a_strides,
                                          std::vector<int64_t> b_sizes,
                                          std::vector<int64_t> b_strides,
                                          std::vector<int64_t> order, double scale);

at::Tensor matmul_run(const at::Tensor& a, const at::Tensor& b,
                      const c10::intrusive_ptr<MatMul>& product);

}  // namespace ramiel::kernels
