// Linked into every test binary (tests/CMakeLists.txt): before any test runs, removes the
// caller's DREDGE_*, AWS_* and PG* variables from this process, so a developer's own
// DREDGE_CONFIG, AWS_PROFILE or PGHOST can change neither the code under test in this process
// nor the children the tests start (RunProcess, std::system, fork+exec all inherit this
// environment). A test that needs such a variable sets it itself (setenv, or RunProcess's env).
// Kept: the suite's own knobs, which the harness sets on purpose.
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

bool IsSuiteKnob(const std::string& name) {
  return name.rfind("DREDGE_TEST_", 0) == 0 || name == "DREDGE_BIN" ||
         name == "DREDGE_SOURCE_DIR" || name == "DREDGE_HARDENING_LONG" ||
         name == "DREDGE_FUZZ_SECONDS";
}

bool IsCallerSetting(const std::string& name) {
  if (IsSuiteKnob(name)) return false;
  return name.rfind("DREDGE_", 0) == 0 || name.rfind("AWS_", 0) == 0 || name.rfind("PG", 0) == 0;
}

bool ScrubCallerEnvironment() {
  std::vector<std::string> names;
  for (char** e = environ; *e; ++e) {
    const char* eq = std::strchr(*e, '=');
    if (eq) names.emplace_back(*e, static_cast<size_t>(eq - *e));
  }
  for (const auto& n : names)
    if (IsCallerSetting(n)) unsetenv(n.c_str());
  return true;
}

[[maybe_unused]] const bool kScrubbed = ScrubCallerEnvironment();

}  // namespace
