#include "common/early_secrets.h"

#include <libpq-fe.h>

#include <cstdlib>
#include <cstring>
#include <string_view>

#include "common/log.h"

namespace dredge {
namespace {

// Only arguments that can hold a password are parsed (libpq accepts almost any string).
bool MayHoldPassword(std::string_view arg) {
  return arg.find("password") != std::string_view::npos ||
         (arg.find("://") != std::string_view::npos && arg.find('@') != std::string_view::npos);
}

void RegisterConninfoPassword(const char* arg) {
  char* err = nullptr;
  PQconninfoOption* opts = PQconninfoParse(arg, &err);
  if (err) PQfreemem(err);
  if (!opts) return;
  for (PQconninfoOption* o = opts; o->keyword; ++o)
    if (std::strcmp(o->keyword, "password") == 0 && o->val && *o->val) log::RegisterSecret(o->val);
  PQconninfoFree(opts);
}

}  // namespace

void RegisterEarlySecrets(int argc, char** argv) {
  for (const char* name : {"AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "PGPASSWORD"})
    if (const char* v = std::getenv(name)) log::RegisterSecret(v);
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    // "--db=password=x" arrives as one argument; the conninfo is after the first '='.
    if (arg.rfind("--", 0) == 0 && arg.find('=') != std::string_view::npos)
      arg.remove_prefix(arg.find('=') + 1);
    if (MayHoldPassword(arg)) RegisterConninfoPassword(std::string(arg).c_str());
  }
}

}  // namespace dredge
