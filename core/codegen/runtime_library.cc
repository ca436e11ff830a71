#include "core/codegen/runtime_library.h"

#include <algorithm>
#include <sstream>

#include "core/support/check.h"

namespace ramiel::codegen {
namespace {

constexpr std::string_view kMarker = "# @helper ";

bool ident_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool ident_char(char c) {
  return ident_start(c) || (c >= '0' && c <= '9');
}

// The identifier at the start of `text`, if any.
std::string_view leading_identifier(std::string_view text) {
  size_t n = 0;
  if (text.empty() || !ident_start(text[0])) return {};
  while (n < text.size() && ident_char(text[n])) ++n;
  return text.substr(0, n);
}

std::vector<std::string> words(std::string_view text) {
  std::vector<std::string> out;
  std::istringstream in{std::string(text)};
  for (std::string word; in >> word;) out.push_back(word);
  return out;
}

}  // namespace

const std::vector<HelperSection>& helper_sections() {
  static const std::vector<HelperSection> sections = [] {
    std::vector<HelperSection> out;
    for (std::string_view part : kHelperParts) {
      std::string_view text = embedded_runtime_source(part);
      RAMIEL_CHECK(!text.empty());
      size_t pos = 0;
      while (pos < text.size()) {
        size_t end = text.find('\n', pos);
        if (end == std::string_view::npos) end = text.size();
        std::string_view line = text.substr(pos, end - pos);
        if (line.substr(0, kMarker.size()) == kMarker) {
          std::vector<std::string> parts = words(line.substr(kMarker.size()));
          RAMIEL_CHECK(!parts.empty());
          HelperSection section;
          section.name = parts[0];
          if (parts.size() > 1) {
            RAMIEL_CHECK(parts[1] == "uses");
            section.uses.assign(parts.begin() + 2, parts.end());
          }
          out.push_back(std::move(section));
        } else if (!out.empty()) {
          out.back().text += std::string(line) + "\n";
        }
        pos = end + 1;
      }
    }
    for (HelperSection& s : out) {  // drop the blank lines between sections
      while (!s.text.empty() && (s.text.back() == '\n' || s.text.back() == ' ')) s.text.pop_back();
      s.text += "\n";
    }
    return out;
  }();
  return sections;
}

std::vector<std::string> module_level_names(std::string_view python) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < python.size()) {
    size_t end = python.find('\n', pos);
    if (end == std::string_view::npos) end = python.size();
    std::string_view line = python.substr(pos, end - pos);
    pos = end + 1;
    if (line.substr(0, 4) == "def " || line.substr(0, 6) == "class ") {
      std::string_view name = leading_identifier(line.substr(line[0] == 'd' ? 4 : 6));
      if (!name.empty()) out.emplace_back(name);
    } else if (line.substr(0, 7) == "import " || line.substr(0, 5) == "from ") {
      std::vector<std::string> parts = words(line);
      auto as = std::find(parts.begin(), parts.end(), "as");
      if (as != parts.end() && as + 1 != parts.end()) {
        out.push_back(*(as + 1));
      } else if (parts[0] == "import" && parts.size() > 1) {
        out.emplace_back(leading_identifier(parts[1]));
      } else if (parts[0] == "from") {
        auto import = std::find(parts.begin(), parts.end(), "import");
        for (auto it = import; it != parts.end() && ++it != parts.end();) {
          std::string_view name = leading_identifier(*it);
          if (!name.empty()) out.emplace_back(name);
        }
      }
    } else {
      std::string_view name = leading_identifier(line);
      std::string_view rest = line.substr(name.size());
      while (!rest.empty() && rest[0] == ' ') rest.remove_prefix(1);
      if (!name.empty() &&
          (rest.substr(0, 1) == ":" || (rest.substr(0, 1) == "=" && rest.substr(0, 2) != "=="))) {
        out.emplace_back(name);
      }
    }
  }
  return out;
}

const std::vector<std::string>& runtime_global_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    std::vector<std::string_view> parts = {"prelude", "epilogue"};
    parts.insert(parts.end(), std::begin(kHelperParts), std::end(kHelperParts));
    parts.insert(parts.end(), std::begin(kRuntimeParts), std::end(kRuntimeParts));
    for (std::string_view part : parts) {
      std::string_view text = embedded_runtime_source(part);
      RAMIEL_CHECK(!text.empty());
      for (std::string& n : module_level_names(text)) out.push_back(std::move(n));
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  }();
  return names;
}

}  // namespace ramiel::codegen
