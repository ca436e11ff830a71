// The one declaration of ramiel-server's settings: each field's config key, flag, help text and
// limits. The flags (server/settings_flags.h), the JSON config file (apply_json_settings) and
// ServerSettings::validate() all read this table, so a new setting is its field plus one entry.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>

#include "core/support/status.h"
#include "server/settings.h"

namespace ramiel::server {

// What validate() requires of one field on its own; checks between fields stay in validate().
// The messages are part of the interface (operators read them, docs quote them).
struct Limit {
  enum class Kind {
    kNone,
    kAddress,        // HOST:PORT with a numeric port; with `optional`, empty as well
    kNotEmpty,       // "KEY must not be empty"
    kAtLeastZero,    // "KEY must be >= 0" and `note`
    kPositive,       // "KEY must be positive, got V" (V for integers only)
    kBetween,        // "FLAG (KEY) must be from LOW to HIGH, got V"
    kZeroOrAtLeast,  // "KEY must be 0 (automatic) or at least LOW/MiB MiB"
    kOneOf,          // empty, or one of `choices`: "KEY must be A, B or C"
  };
  Kind kind = Kind::kNone;
  int64_t low = 0;
  int64_t high = 0;
  bool optional = false;
  std::string_view note = {};
  std::span<const std::string_view> choices = {};
  // When set, the limit applies only where this holds (settings a feature reads only when on).
  bool (*applies)(const ServerSettings&) = nullptr;
};

using SettingMember =
    std::variant<std::string ServerSettings::*, bool ServerSettings::*, int ServerSettings::*,
                 int64_t ServerSettings::*, double ServerSettings::*>;

struct SettingField {
  std::string_view key;   // in the JSON config file; validation messages name it
  std::string_view flag;  // CLI11's name: "--listen"; "!--no-request-log" sets a bool to false
  std::string_view help;
  SettingMember member;
  Limit limit = {};
  bool hidden = false;  // tests and debugging only: left out of --help
};

// Every setting, in the order of --help.
std::span<const SettingField> setting_fields();

// The field's flag without CLI11's "!" ("--no-request-log").
std::string_view flag_name(const SettingField& field);

// INVALID_ARGUMENT with the field's message when `settings` break its limit.
Status check_limit(const SettingField& field, const ServerSettings& settings);

}  // namespace ramiel::server
