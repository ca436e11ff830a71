#include "server/settings_flags.h"

#include <algorithm>

namespace ramiel::server {

SettingsFlags::SettingsFlags(CLI::App& app) {
  for (const SettingField& field : setting_fields()) {
    const std::string name(field.flag);
    const std::string help(field.help);
    CLI::Option* option = std::visit(
        [&](auto member) {
          auto& target = from_flags_.*member;
          if constexpr (std::is_same_v<std::remove_reference_t<decltype(target)>, bool>) {
            return app.add_flag(name, target, help);
          } else {
            return app.add_option(name, target, help)->capture_default_str();
          }
        },
        field.member);
    if (field.hidden) option->group("");
    options_.emplace_back(&field, option);
  }
}

void SettingsFlags::overlay(ServerSettings& settings) const {
  for (const auto& [field, option] : options_) {
    if (option->count() == 0) continue;
    std::visit([&](auto member) { settings.*member = from_flags_.*member; }, field->member);
  }
}

std::string config_file_help() {
  std::string text =
      "Config file: a JSON object whose keys are the long flag names with '_' for '-'\n"
      "(e.g. {\"workers\": 4, \"cache_dir\": \"/var/cache/ramiel\"})";
  std::string exceptions;
  for (const SettingField& field : setting_fields()) {
    std::string derived(flag_name(field).substr(2));
    std::replace(derived.begin(), derived.end(), '-', '_');
    if (field.hidden || derived == field.key) continue;
    exceptions += exceptions.empty() ? ", except:\n" : ",\n";
    exceptions += std::string(flag_name(field)) + " is \"" + std::string(field.key) + "\"";
    if (field.flag.starts_with('!')) exceptions += ": false";
  }
  return text + exceptions + ".";
}

}  // namespace ramiel::server
