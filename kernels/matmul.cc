#include "kernels/matmul.h"

#include <algorithm>
#include <unordered_map>

#include "kernels/dnnl_engine.h"

namespace ramiel::kernels {
namespace {

using dnnl::memory;

// Whether `tensor` has `sizes` and, along every dimension longer than 1, `strides` (a size-1
// dimension's stride is arbitrary: PyTorch does not keep it stable).
bool laid_out_as(const at::Tensor& tensor, const std::vector<int64_t>& sizes,
                 const std::vector<int64_t>& strides) {
  if (tensor.sizes() != at::IntArrayRef(sizes)) return false;
  for (size_t d = 0; d < sizes.size(); ++d)
    if (sizes[d] > 1 && tensor.stride(static_cast<int64_t>(d)) != strides[d]) return false;
  return true;
}

// Dense strides for `sizes` stored in `order` (its dims outermost first).
std::vector<int64_t> strides_in_order(const std::vector<int64_t>& sizes,
                                      const std::vector<int64_t>& order) {
  std::vector<int64_t> strides(sizes.size());
  int64_t step = 1;
  for (auto d = order.rbegin(); d != order.rend(); ++d) {
    strides[*d] = step;
    step *= sizes[*d];
  }
  return strides;
}

}  // namespace

MatMul::MatMul(std::vector<int64_t> a_sizes, std::vector<int64_t> a_strides,
               std::vector<int64_t> b_sizes, std::vector<int64_t> b_strides,
               std::vector<int64_t> order, double scale)
    : a_sizes_(std::move(a_sizes)),
      a_strides_(std::move(a_strides)),
      b_sizes_(std::move(b_sizes)),
      b_strides_(std::move(b_strides)),
      scale_(scale) {
  const size_t rank = a_sizes_.size();
  TORCH_CHECK(rank >= 2 && rank <= DNNL_MAX_NDIMS && b_sizes_.size() == rank &&
                  a_strides_.size() == rank && b_strides_.size() == rank,
              "ramiel::matmul_prepack: two operands of one rank (2 to ", DNNL_MAX_NDIMS,
              "), each with as many strides as sizes");
  TORCH_CHECK(std::equal(a_sizes_.begin(), a_sizes_.end() - 2, b_sizes_.begin()) &&
                  a_sizes_[rank - 1] == b_sizes_[rank - 2],
              "ramiel::matmul_prepack: cannot multiply ", at::IntArrayRef(a_sizes_), " by ",
              at::IntArrayRef(b_sizes_), " (the batch sizes must be equal)");
  std::vector<int64_t> sorted(order);
  std::sort(sorted.begin(), sorted.end());
  TORCH_CHECK(order.size() == rank &&
                  std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end() &&
                  sorted.front() == 0 && sorted.back() == static_cast<int64_t>(rank) - 1,
              "ramiel::matmul_prepack: the output order must be a permutation of the ", rank,
              " dims, not ", at::IntArrayRef(order));
  output_sizes_ = a_sizes_;
  output_sizes_[rank - 1] = b_sizes_[rank - 1];
  output_strides_ = strides_in_order(output_sizes_, order);

  const auto f32 = memory::data_type::f32;
  a_ = memory::desc(a_sizes_, f32, a_strides_);
  b_ = memory::desc(b_sizes_, f32, b_strides_);
  output_ = memory::desc(output_sizes_, f32, output_strides_);
  dnnl::primitive_attr attributes;
  // Each call passes its own scratchpad, so that one primitive may run on several threads.
  attributes.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  if (scale_ != 1.0) attributes.set_output_scales(0, {static_cast<float>(scale_)});
  const dnnl::matmul::primitive_desc chosen(dnnl::matmul::desc(a_, b_, output_), attributes,
                                            cpu_engine());
  primitive_ = dnnl::matmul(chosen);
  scratchpad_ = chosen.scratchpad_desc();
  implementation_ = chosen.impl_info_str();
}

at::Tensor MatMul::run(const at::Tensor& a, const at::Tensor& b) const {
  if (a.scalar_type() != at::kFloat || b.scalar_type() != at::kFloat ||
      !laid_out_as(a, a_sizes_, a_strides_) || !laid_out_as(b, b_sizes_, b_strides_)) {
    at::Tensor product = at::matmul(a, b);
    return scale_ == 1.0 ? product : product.mul_(scale_);
  }
  at::Tensor output = at::empty_strided(output_sizes_, output_strides_, a.options());
  at::Tensor scratchpad =
      at::empty({static_cast<int64_t>(scratchpad_.get_size())}, a.options().dtype(at::kByte));
  const std::unordered_map<int, memory> arguments{
      {DNNL_ARG_SRC, memory(a_, cpu_engine(), a.data_ptr())},
      {DNNL_ARG_WEIGHTS, memory(b_, cpu_engine(), b.data_ptr())},
      {DNNL_ARG_DST, memory(output_, cpu_engine(), output.data_ptr())},
      {DNNL_ARG_SCRATCHPAD, memory(scratchpad_, cpu_engine(), scratchpad.data_ptr())}};
  dnnl::stream stream(cpu_engine());
  primitive_.execute(stream, arguments);
  stream.wait();
  return output;
}

c10::intrusive_ptr<MatMul> matmul_prepack(std::vector<int64_t> a_sizes,
                                          std::vector<int64_t> a_strides,
                                          std::vector<int64_t> b_sizes,
                                          std::vector<int64_t> b_strides,
                                          std::vector<int64_t> order, double scale) {
  return c10::make_intrusive<MatMul>(std::move(a_sizes), std::move(a_strides), std::move(b_sizes),
                                     std::move(b_strides), std::move(order), scale);
}

at::Tensor matmul_run(const at::Tensor& a, const at::Tensor& b,
                      const c10::intrusive_ptr<MatMul>& product) {
  return product->run(a, b);
}

}  // namespace ramiel::kernels
