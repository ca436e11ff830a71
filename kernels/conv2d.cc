#include "kernels/conv2d.h"

#include <cstring>
#include <unordered_map>

#include "kernels/dnnl_engine.h"

namespace ramiel::kernels {
namespace {

using dnnl::memory;

memory::dims dims_of(at::IntArrayRef values) {
  return memory::dims(values.begin(), values.end());
}

std::vector<int64_t> output_size_of(const std::vector<int64_t>& input, const at::Tensor& weight,
                                    const std::vector<int64_t>& stride,
                                    const std::vector<int64_t>& padding,
                                    const std::vector<int64_t>& dilation) {
  std::vector<int64_t> output{input[0], weight.size(0), 0, 0};
  for (int d = 0; d < 2; ++d) {
    const int64_t window = dilation[d] * (weight.size(2 + d) - 1) + 1;
    const int64_t span = input[2 + d] + 2 * padding[d] - window;
    TORCH_CHECK(span >= 0 && stride[d] > 0, "ramiel::conv2d_prepack: a ", window,
                "-wide window does not fit input size ", input[2 + d], " padded by ", padding[d]);
    output[2 + d] = span / stride[d] + 1;
  }
  return output;
}

dnnl::primitive_attr attributes_for(const std::string& activation) {
  dnnl::primitive_attr attributes;
  // Each call passes its own scratchpad, so that one primitive may run on several threads.
  attributes.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  if (activation == "relu") {
    dnnl::post_ops ops;
    ops.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, 0.f, 0.f);
    attributes.set_post_ops(ops);
  } else {
    TORCH_CHECK(activation == "none", "ramiel::conv2d_prepack: activation must be 'none' or ",
                "'relu', not '", activation, "'");
  }
  return attributes;
}

}  // namespace

Conv2d::Conv2d(const at::Tensor& weight_in, const c10::optional<at::Tensor>& bias,
               const std::vector<int64_t>& stride, const std::vector<int64_t>& padding,
               const std::vector<int64_t>& dilation, int64_t groups,
               std::vector<int64_t> input_size, const std::string& activation)
    : input_size_(std::move(input_size)) {
  TORCH_CHECK(weight_in.dim() == 4 && weight_in.scalar_type() == at::kFloat,
              "ramiel::conv2d_prepack: the weight must be a 4-D float32 tensor");
  TORCH_CHECK(input_size_.size() == 4 && stride.size() == 2 && padding.size() == 2 &&
                  dilation.size() == 2 && groups >= 1,
              "ramiel::conv2d_prepack: a 4-D input size and two strides, paddings, dilations");
  TORCH_CHECK(input_size_[1] == weight_in.size(1) * groups && weight_in.size(0) % groups == 0,
              "ramiel::conv2d_prepack: ", input_size_[1], " input channels do not suit a weight ",
              weight_in.sizes(), " in ", groups, " groups");
  const at::Tensor weight = weight_in.contiguous();  // OIHW, as oneDNN's user layout reads it
  output_size_ = output_size_of(input_size_, weight, stride, padding, dilation);
  const auto f32 = memory::data_type::f32;
  source_ = memory::desc(dims_of(input_size_), f32, memory::format_tag::nhwc);
  destination_ = memory::desc(dims_of(output_size_), f32, memory::format_tag::nhwc);

  memory::dims weight_dims = dims_of(weight.sizes());
  memory::format_tag weight_tag = memory::format_tag::oihw;
  if (groups > 1) {
    weight_dims = {groups, weight.size(0) / groups, weight.size(1), weight.size(2), weight.size(3)};
    weight_tag = memory::format_tag::goihw;
  }
  const memory::desc any_weights(weight_dims, f32, memory::format_tag::any);
  const memory::desc bias_desc({weight.size(0)}, f32, memory::format_tag::a);
  const memory::dims strides(stride.begin(), stride.end()), pads(padding.begin(), padding.end());
  memory::dims dilations;  // oneDNN counts the gaps between taps: PyTorch's dilation - 1
  for (int64_t d : dilation) dilations.push_back(d - 1);

  has_bias_ = bias.has_value() && bias->defined();
  const auto kind = dnnl::prop_kind::forward_inference;
  const auto algorithm = dnnl::algorithm::convolution_direct;
  const auto description =
      has_bias_ ? dnnl::convolution_forward::desc(kind, algorithm, source_, any_weights, bias_desc,
                                                  destination_, strides, dilations, pads, pads)
                : dnnl::convolution_forward::desc(kind, algorithm, source_, any_weights,
                                                  destination_, strides, dilations, pads, pads);
  const dnnl::convolution_forward::primitive_desc chosen(description, attributes_for(activation),
                                                         cpu_engine());
  primitive_ = dnnl::convolution_forward(chosen);
  scratchpad_ = chosen.scratchpad_desc();

  dnnl::stream stream(cpu_engine());
  weights_ = memory(chosen.weights_desc(), cpu_engine());
  memory given(memory::desc(weight_dims, f32, weight_tag), cpu_engine(), weight.data_ptr());
  dnnl::reorder(given, weights_).execute(stream, given, weights_);
  stream.wait();
  if (has_bias_) {
    TORCH_CHECK(bias->scalar_type() == at::kFloat && bias->numel() == weight.size(0),
                "ramiel::conv2d_prepack: the bias must hold one float32 per output channel");
    bias_ = memory(bias_desc, cpu_engine());
    std::memcpy(bias_.get_data_handle(), bias->contiguous().data_ptr(),
                weight.size(0) * sizeof(float));
  }
}

at::Tensor Conv2d::run(const at::Tensor& input) const {
  TORCH_CHECK(input.scalar_type() == at::kFloat && input.sizes() == at::IntArrayRef(input_size_),
              "ramiel::conv2d_run: packed for float32 ", at::IntArrayRef(input_size_), ", given ",
              input.scalar_type(), " ", input.sizes());
  const at::Tensor source = input.contiguous(at::MemoryFormat::ChannelsLast);
  at::Tensor output =
      at::empty(output_size_, source.options().memory_format(at::MemoryFormat::ChannelsLast));
  at::Tensor scratchpad =
      at::empty({static_cast<int64_t>(scratchpad_.get_size())}, source.options().dtype(at::kByte));
  std::unordered_map<int, memory> arguments{
      {DNNL_ARG_SRC, memory(source_, cpu_engine(), source.data_ptr())},
      {DNNL_ARG_WEIGHTS, weights_},
      {DNNL_ARG_DST, memory(destination_, cpu_engine(), output.data_ptr())},
      {DNNL_ARG_SCRATCHPAD, memory(scratchpad_, cpu_engine(), scratchpad.data_ptr())}};
  if (has_bias_) arguments.emplace(DNNL_ARG_BIAS, bias_);
  dnnl::stream stream(cpu_engine());
  primitive_.execute(stream, arguments);
  stream.wait();
  return output;
}

c10::intrusive_ptr<Conv2d> conv2d_prepack(at::Tensor weight, c10::optional<at::Tensor> bias,
                                          std::vector<int64_t> stride, std::vector<int64_t> padding,
                                          std::vector<int64_t> dilation, int64_t groups,
                                          std::vector<int64_t> input_size, std::string activation) {
  return c10::make_intrusive<Conv2d>(weight, bias, stride, padding, dilation, groups,
                                     std::move(input_size), activation);
}

at::Tensor conv2d_run(const at::Tensor& input, const c10::intrusive_ptr<Conv2d>& conv) {
  return conv->run(input);
}

}  // namespace ramiel::kernels
