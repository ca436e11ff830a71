// Python expressions that rebuild a constant tensor exactly, from its contents in the IR.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "core/codegen/python/ast.h"
#include "core/ir/tensor.h"
#include "core/support/status.h"

namespace ramiel::codegen {

// Tensors up to this many elements are spelled as lists; larger ones as base64 of their bytes.
inline constexpr int64_t kMaxListedElements = 64;

// Looks up a runtime helper by name (the lowering's EmitEnvironment::helper).
using HelperLookup = std::function<StatusOr<py::ExprPtr>(std::string_view)>;

// `torch.tensor([1, 2], dtype=torch.int64)`, `.reshape(...)` for rank >= 2, `torch.empty(...)`
// when empty, or `tensor_from_base64((...), torch.float32, (10, 100))`. Every value reads back
// bit for bit. UNIMPLEMENTED for tensors without data or of a dtype torch lacks.
StatusOr<py::ExprPtr> tensor_literal(const ir::Tensor& tensor, const HelperLookup& helper);

// One element as a Python number (float32/16/bf16 spelled as their exact float32 value).
py::ExprPtr element_literal(const ir::Tensor& tensor, int64_t index);

// RFC 4648 base64 of `bytes`.
std::string base64_encode(std::string_view bytes);

}  // namespace ramiel::codegen
