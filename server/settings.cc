#include "server/settings.h"

#include <algorithm>
#include <limits>

#include <nlohmann/json.hpp>

#include "core/support/file_contents.h"
#include "server/machine_resources.h"
#include "server/redis_endpoint.h"
#include "server/setting_fields.h"

namespace ramiel::server {
namespace {

// The checks between fields; each field's own limits are in server/setting_fields.cc.
Status validate_redis(const ServerSettings& settings) {
  if (settings.redis.empty()) {
    if (!settings.redis_password_file.empty() || !settings.redis_tls_ca.empty()) {
      return invalid_argument("--redis-password-file and --redis-tls-ca need --redis");
    }
    return ok_status();
  }
  RAMIEL_ASSIGN_OR_RETURN(const RedisEndpoint endpoint, parse_redis_url(settings.redis));
  if (!endpoint.password.empty() && !settings.redis_password_file.empty()) {
    return invalid_argument(
        "--redis has a password and --redis-password-file gives another: give one");
  }
  if (!endpoint.tls && !settings.redis_tls_ca.empty()) {
    return invalid_argument("--redis-tls-ca needs a rediss:// URL in --redis");
  }
  return ok_status();
}

// Sets `field` from a JSON value of its type; false when the type (or an integer's range) is
// wrong.
bool set_from_json(const SettingField& field, const nlohmann::json& value,
                   ServerSettings& settings) {
  return std::visit(
      [&](auto member) {
        auto& target = settings.*member;
        using T = std::remove_reference_t<decltype(target)>;
        if constexpr (std::is_same_v<T, std::string>) {
          if (!value.is_string()) return false;
          target = value.get<std::string>();
        } else if constexpr (std::is_same_v<T, bool>) {
          if (!value.is_boolean()) return false;
          target = value.get<bool>();
        } else if constexpr (std::is_same_v<T, double>) {
          if (!value.is_number()) return false;
          target = value.get<double>();
        } else {
          if (!value.is_number_integer()) return false;
          // nlohmann keeps integers above 2^63 - 1 unsigned; read as int64 they would wrap.
          if (value.is_number_unsigned() &&
              value.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
            return false;
          const auto wide = value.get<int64_t>();
          if (wide < std::numeric_limits<T>::min() || wide > std::numeric_limits<T>::max())
            return false;
          target = static_cast<T>(wide);
        }
        return true;
      },
      field.member);
}

}  // namespace

Status ServerSettings::validate() const {
  for (const SettingField& field : setting_fields()) {
    RAMIEL_RETURN_IF_ERROR(check_limit(field, *this));
  }
  if (max_upload_bytes_in_flight < max_model_bytes) {
    return invalid_argument("max_upload_bytes_in_flight must be at least max_model_bytes");
  }
  return validate_redis(*this);
}

int ServerSettings::resolved_workers() const {
  return workers > 0 ? workers : available_cpus();
}

int64_t ServerSettings::resolved_compile_memory_bytes() const {
  if (compile_memory_bytes > 0) return compile_memory_bytes;
  constexpr int64_t kMin = int64_t{1} << 30;
  constexpr int64_t kMax = int64_t{8} << 30;
  return std::clamp(available_memory_bytes() / (resolved_workers() + 1), kMin, kMax);
}

Status apply_json_settings(std::string_view json_text, ServerSettings& settings) {
  const nlohmann::json json = nlohmann::json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) return invalid_argument("config is not valid JSON");
  if (!json.is_object()) return invalid_argument("config must be a JSON object");
  const auto fields = setting_fields();
  for (const auto& [key, value] : json.items()) {
    const auto field = std::find_if(fields.begin(), fields.end(),
                                    [&key](const SettingField& f) { return f.key == key; });
    if (field == fields.end()) return invalid_argument("config has an unknown key '" + key + "'");
    if (!set_from_json(*field, value, settings)) {
      return invalid_argument("config key '" + key + "' has the wrong type");
    }
  }
  return ok_status();
}

Status load_settings_file(const std::string& path, ServerSettings& settings) {
  const std::optional<std::string> text = file_contents(path);
  if (!text) return not_found("cannot read config file '" + path + "'");
  return apply_json_settings(*text, settings).with_context("in " + path);
}

}  // namespace ramiel::server
