// Node attributes: a sorted map from name to a typed value, so iteration is deterministic.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/ir/tensor.h"

namespace ramiel::ir {

using AttributeValue = std::variant<int64_t, float, std::string, Tensor, std::vector<int64_t>,
                                    std::vector<float>, std::vector<std::string>>;

class Attributes {
 public:
  bool has(const std::string& name) const { return values_.count(name) > 0; }
  void set(const std::string& name, AttributeValue value) { values_[name] = std::move(value); }
  void erase(const std::string& name) { values_.erase(name); }
  const std::map<std::string, AttributeValue>& all() const { return values_; }
  bool empty() const { return values_.empty(); }

  // Typed lookups: nullopt when absent or of another type.
  std::optional<int64_t> find_int(const std::string& name) const { return find<int64_t>(name); }
  std::optional<float> find_float(const std::string& name) const { return find<float>(name); }
  std::optional<std::string> find_string(const std::string& name) const {
    return find<std::string>(name);
  }
  std::optional<std::vector<int64_t>> find_ints(const std::string& name) const {
    return find<std::vector<int64_t>>(name);
  }
  std::optional<std::vector<float>> find_floats(const std::string& name) const {
    return find<std::vector<float>>(name);
  }
  const Tensor* find_tensor(const std::string& name) const {
    auto it = values_.find(name);
    return it == values_.end() ? nullptr : std::get_if<Tensor>(&it->second);
  }

  int64_t get_int(const std::string& name, int64_t fallback) const {
    return find_int(name).value_or(fallback);
  }
  float get_float(const std::string& name, float fallback) const {
    return find_float(name).value_or(fallback);
  }
  std::string get_string(const std::string& name, const std::string& fallback) const {
    return find_string(name).value_or(fallback);
  }
  std::vector<int64_t> get_ints(const std::string& name, std::vector<int64_t> fallback) const {
    return find_ints(name).value_or(std::move(fallback));
  }

  bool operator==(const Attributes& other) const = default;

 private:
  template <typename T>
  std::optional<T> find(const std::string& name) const {
    auto it = values_.find(name);
    if (it == values_.end()) return std::nullopt;
    if (const T* v = std::get_if<T>(&it->second)) return *v;
    return std::nullopt;
  }

  std::map<std::string, AttributeValue> values_;
};

}  // namespace ramiel::ir
