#include "ops/limits.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <CLI/CLI.hpp>

#include "config/byte_size.h"
#include "config/option_table.h"

namespace dredge {
namespace {

// From linux/ioprio.h (not always installed).
constexpr int kIoprioClassShift = 13;
constexpr int kIoprioClassBe = 2;
constexpr int kIoprioWhoProcess = 1;

}  // namespace

std::shared_ptr<Limiter> MakeLimiter(const LimitsConfig& limits) {
  if (limits.bwlimit == 0 && limits.tpslimit <= 0) return nullptr;
  return std::make_shared<Limiter>(limits.bwlimit, limits.tpslimit);
}

void AddLimitFlags(CLI::App& cmd, ConfigOverrides* o) {
  cmd.add_option_function<std::string>(
      "--bwlimit",
      [o](const std::string& text) {
        auto r = ParseByteRate(text, "--bwlimit");
        if (!r.ok()) throw CLI::ValidationError("--bwlimit", r.status().message());
        o->bwlimit = *r;
      },
      FlagHelp(*FindOption("limits.bwlimit")));
  cmd.add_option_function<double>(
      "--tpslimit",
      [o](double v) {
        if (!(v >= 0)) throw CLI::ValidationError("--tpslimit", "must be 0 (none) or more");
        o->tpslimit = v;
      },
      FlagHelp(*FindOption("limits.tpslimit")));
  cmd.add_flag_function(
      "--nice,!--no-nice", [o](int64_t count) { o->nice = count > 0; },
      FlagHelp(*FindOption("limits.nice")));
}

bool ShouldNice(LimitsConfig::Nice setting, bool stdout_is_tty) {
  switch (setting) {
    case LimitsConfig::Nice::kOn:
      return true;
    case LimitsConfig::Nice::kOff:
      return false;
    case LimitsConfig::Nice::kAuto:
      return !stdout_is_tty;
  }
  return false;
}

Status ApplyNice() {
  std::string problems;
  errno = 0;
  int current = ::getpriority(PRIO_PROCESS, 0);
  if (errno == 0 && current < 10 && ::setpriority(PRIO_PROCESS, 0, 10) != 0)
    problems += std::string("setpriority: ") + std::strerror(errno);
  int prio = (kIoprioClassBe << kIoprioClassShift) | 7;
  if (::syscall(SYS_ioprio_set, kIoprioWhoProcess, 0, prio) != 0)
    problems += std::string(problems.empty() ? "" : "; ") + "ioprio_set: " + std::strerror(errno);
  if (!problems.empty())
    return Status::Unsupported("could not lower priority (" + problems +
                               "); the backup runs at normal priority");
  return Status::Ok();
}

}  // namespace dredge
