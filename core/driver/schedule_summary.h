// schedule_summary(): the few lines ramiel-client prints after a compile, read from schedule.json.
// It lives beside the code that writes schedule.json (report.cc), so the two agree on its keys.
#pragma once

#include <string>
#include <string_view>

namespace ramiel::driver {

// Model, graph changes, clusters, prediction and compile times; a one-line note when the text is
// not JSON or lacks a key (or holds one of another type).
std::string schedule_summary(std::string_view schedule_json);

}  // namespace ramiel::driver
