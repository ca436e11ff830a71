// libFuzzer entry point: ONNX import (parse, onnx checker, shape inference, IR conversion) of
// arbitrary bytes. Any outcome but a crash, a sanitizer report or a hang is acceptable.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/frontend/onnx_import.h"
#include "core/ir/verifier.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  ramiel::frontend::ImportOptions options;  // no model_dir: external data must be refused
  auto imported = ramiel::frontend::import_onnx(bytes, options);
  if (!imported.ok()) return 0;
  // An accepted model must have become a well-formed graph.
  if (imported->graph == nullptr || !ramiel::ir::verify_graph(*imported->graph).ok()) std::abort();
  return 0;
}
