#include "config/hooks_config.h"

#include "config/toml_fields.h"

namespace dredge {

Status ReadHooksConfig(const toml::table& t, const std::string& file, HooksConfig* out) {
  TomlFields f(t, file, "hooks");
  DREDGE_RETURN_IF_ERROR(f.String("on_success", &out->on_success));
  DREDGE_RETURN_IF_ERROR(f.String("on_failure", &out->on_failure));
  DREDGE_RETURN_IF_ERROR(f.String("on_stale", &out->on_stale));
  DREDGE_RETURN_IF_ERROR(f.Millis("timeout", &out->timeout_ms));
  if (out->timeout_ms <= 0)
    return Status::Usage(file +
                         ": [hooks] timeout must be above zero (e.g. \"60s\"): a hook that may "
                         "run forever would hold up every backup");
  return f.Finish();
}

}  // namespace dredge
