// Reads the JSON lines a RequestLog wrote, so tests assert on what operators would see.
#pragma once

#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace ramiel::server::testing {

// The lines of `event` in `out`, in order.
inline std::vector<nlohmann::json> events_in(const std::ostringstream& out,
                                             const std::string& event) {
  std::vector<nlohmann::json> found;
  std::istringstream lines(out.str());
  for (std::string line; std::getline(lines, line);) {
    auto json = nlohmann::json::parse(line);
    if (json["event"] == event) found.push_back(std::move(json));
  }
  return found;
}

}  // namespace ramiel::server::testing
