// Hands out unique names: the first request for a base gets it unchanged, later ones a suffix.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

namespace ramiel {

class NameSupply {
 public:
  // Names that must never be handed out (keywords, module names).
  void reserve(std::string_view name) { taken_.emplace(name); }
  bool taken(std::string_view name) const { return taken_.count(std::string(name)) > 0; }

  // `base` if free, else `base_1`, `base_2`, ... (the first free one).
  std::string fresh(std::string_view base);

 private:
  std::unordered_set<std::string> taken_;
  std::unordered_map<std::string, int> next_suffix_;
};

}  // namespace ramiel
