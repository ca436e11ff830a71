// How a node divided along its channels into two parts is marked, so that measured costs, which
// name the nodes of the program that was profiled, can be matched to a graph split differently.
#pragma once

#include <string_view>

namespace ramiel::ir {

// The first part keeps the node's name; the second is a clone named <name> + kSplitPartSuffix.
inline constexpr std::string_view kSplitPartSuffix = "_split";

// Both parts carry the share of the whole node's output channels they compute, in (0, 1).
inline constexpr const char* kSplitShareAttribute = "ramiel_split_share";

}  // namespace ramiel::ir
