#include "core/support/name_supply.h"

namespace ramiel {

std::string NameSupply::fresh(std::string_view base) {
  std::string name(base);
  if (taken_.insert(name).second) return name;
  int& suffix = next_suffix_[name];
  std::string candidate;
  do {
    candidate = name + "_" + std::to_string(++suffix);
  } while (!taken_.insert(candidate).second);
  return candidate;
}

}  // namespace ramiel
