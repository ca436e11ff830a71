// Cuts large initializer payloads out of serialized model bytes before protobuf parses them.
//
// The compiler never reads big weights (the generated program loads them from the model file),
// yet parsing copied every byte of them: for a 100 MB model that copy was most of a compile.
// Working on the wire format keeps everything else exactly as protobuf would see it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/support/status.h"

namespace ramiel::frontend {

struct SlimModel {
  // The model with every initializer's raw_data longer than the threshold replaced by a
  // one-byte placeholder.
  std::string bytes;
  // Initializer name -> size of the payload that was cut out.
  std::unordered_map<std::string, int64_t> stripped_bytes;
};

// INVALID_ARGUMENT when the bytes are not a well-formed protobuf message (e.g. truncated).
StatusOr<SlimModel> slim_model(std::string_view model_bytes, int64_t threshold);

}  // namespace ramiel::frontend
