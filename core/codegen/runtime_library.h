// The Python runtime of the generated programs (runtime/*.py, embedded at build time) and the
// index of the helpers it defines.
//
// A compile writes two files: model.py (the model: tables, one function per cluster, load())
// and ramiel_runtime.py beside it (loading, drivers, measuring, command line, op helpers), the
// same for every model of one compiler build. model.py imports it by path and checks its version.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace ramiel::codegen {

// The name model.py imports the runtime by, and the file the compile writes it to.
inline constexpr std::string_view kRuntimeAlias = "ramiel";
inline constexpr std::string_view kRuntimeFileName = "ramiel_runtime.py";

// Defined in the source embed_runtime.cmake generates:
// ramiel_runtime.py's parts in order (runtime/{prelude,helpers*,loading,...,cli}.py).
std::span<const std::string_view> runtime_parts();
// Names of the helpers the parts define ("# @helper NAME" markers), sorted.
std::span<const std::string_view> runtime_helper_names();
// The first 12 hex digits of a SHA-256 over the parts.
std::string_view runtime_sources_digest();
// model.py's fixed parts: the import of the runtime, and load() with the entry points.
std::string_view model_head_source();
std::string_view model_tail_source();

// Whether the runtime defines a helper `name`.
bool is_runtime_helper(std::string_view name);

// "<compiler version>+<digest>": what model.py requires of the ramiel_runtime.py beside it.
std::string runtime_version(std::string_view compiler_version);

// The text of ramiel_runtime.py.
std::string runtime_file(std::string_view compiler_version);

}  // namespace ramiel::codegen
