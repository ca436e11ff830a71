// SettingsFlags: a ramiel-server flag for every setting (server/setting_fields.h) on a CLI11 app,
// with the setting's help text and default. Flags override the config file, but only those given
// on the command line.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

#include "server/setting_fields.h"
#include "server/settings.h"

namespace ramiel::server {

class SettingsFlags {
 public:
  explicit SettingsFlags(CLI::App& app);
  // CLI11 writes into this object's members: it stays where it was made.
  SettingsFlags(const SettingsFlags&) = delete;
  SettingsFlags& operator=(const SettingsFlags&) = delete;

  // Copies the settings whose flags were given onto `settings`.
  void overlay(ServerSettings& settings) const;

 private:
  ServerSettings from_flags_;
  std::vector<std::pair<const SettingField*, const CLI::Option*>> options_;
};

// What --help says of the config file: its keys are the flag names with '_' for '-', and the
// keys that are not are listed.
std::string config_file_help();

}  // namespace ramiel::server
