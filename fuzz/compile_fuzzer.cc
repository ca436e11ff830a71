// libFuzzer entry point: the whole local compile (import, passes, cost, schedule, codegen) of
// arbitrary bytes, as ramiel-client and the server run it: two workers, no model directory.
// Any outcome but a crash, a sanitizer report or a hang is acceptable.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/driver/compile.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  ramiel::driver::CompileOptions options;
  options.workers = 2;  // no model_dir: external data must be refused
  auto compiled = ramiel::driver::compile(bytes, options);
  if (!compiled.ok()) return 0;
  // An accepted model must have produced the program and its schedule.
  if (!compiled->files.contains("model.py") || !compiled->files.contains("schedule.json")) std::abort();
  return 0;
}
