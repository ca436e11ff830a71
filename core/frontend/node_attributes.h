// Lookups and edits of an ONNX NodeProto's attributes by name, for the rules that rewrite old
// models before and after onnx's version converter (legacy_*.cc).
#pragma once

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ramiel::frontend {

inline const onnx::AttributeProto* find_attribute(const onnx::NodeProto& node,
                                                  const std::string& name) {
  for (const auto& attribute : node.attribute()) {
    if (attribute.name() == name) return &attribute;
  }
  return nullptr;
}

inline onnx::AttributeProto* find_attribute(onnx::NodeProto& node, const std::string& name) {
  for (auto& attribute : *node.mutable_attribute()) {
    if (attribute.name() == name) return &attribute;
  }
  return nullptr;
}

inline void remove_attribute(onnx::NodeProto& node, const std::string& name) {
  auto* attributes = node.mutable_attribute();
  for (int i = 0; i < attributes->size(); ++i) {
    if (attributes->Get(i).name() == name) {
      attributes->DeleteSubrange(i, 1);
      return;
    }
  }
}

inline std::optional<int64_t> int_attribute(const onnx::NodeProto& node, const std::string& name) {
  const onnx::AttributeProto* attribute = find_attribute(node, name);
  if (!attribute) return std::nullopt;
  return attribute->i();
}

inline std::optional<std::vector<int64_t>> ints_attribute(const onnx::NodeProto& node,
                                                          const std::string& name) {
  const onnx::AttributeProto* attribute = find_attribute(node, name);
  if (!attribute) return std::nullopt;
  return std::vector<int64_t>(attribute->ints().begin(), attribute->ints().end());
}

}  // namespace ramiel::frontend
