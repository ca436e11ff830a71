// ramiel::conv2d_prepack / conv2d_run: a 2-D convolution whose oneDNN primitive is built once.
#pragma once

#include <ATen/ATen.h>
#include <torch/custom_class.h>

#include <dnnl.hpp>

#include <string>
#include <vector>

namespace ramiel::kernels {

// A convolution packed for one input size: the weights in the blocked layout oneDNN chose for
// it, and the primitive itself. PyTorch 1.13's mkldnn_prepacked::conv2d_run keeps only the
// packed weights and builds the primitive descriptor again on every call.
class Conv2d : public torch::CustomClassHolder {
 public:
  Conv2d(const at::Tensor& weight, const c10::optional<at::Tensor>& bias,
         const std::vector<int64_t>& stride, const std::vector<int64_t>& padding,
         const std::vector<int64_t>& dilation, int64_t groups, std::vector<int64_t> input_size,
         const std::string& activation);

  // The convolution of `input` (float32 of the packed input size), channels-last.
  at::Tensor run(const at::Tensor& input) const;

 private:
  std::vector<int64_t> input_size_, output_size_;
  dnnl::memory::desc source_, destination_, scratchpad_;
  dnnl::memory weights_, bias_;
  bool has_bias_ = false;
  dnnl::convolution_forward primitive_;
};

c10::intrusive_ptr<Conv2d> conv2d_prepack(at::Tensor weight, c10::optional<at::Tensor> bias,
                                          std::vector<int64_t> stride, std::vector<int64_t> padding,
                                          std::vector<int64_t> dilation, int64_t groups,
                                          std::vector<int64_t> input_size, std::string activation);

at::Tensor conv2d_run(const at::Tensor& input, const c10::intrusive_ptr<Conv2d>& conv);

}  // namespace ramiel::kernels
