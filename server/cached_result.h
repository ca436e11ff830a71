// CachedResult: an immutable compile response shared by the cache tiers and every caller it serves.
#pragma once

#include <memory>

#include "ramiel/v1/compile_service.pb.h"

namespace ramiel::server {

using CachedResult = std::shared_ptr<const v1::CompileResponse>;

}  // namespace ramiel::server
