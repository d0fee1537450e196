// Being gentle on production: bandwidth and request-rate limits, and lower CPU/I/O priority.
//
// Limits: the flags and [limits] settings that build the process's one Limiter
// (store/wrap/limiter.h, which says how the limits behave; store/wrap/limit_store.h spends it).
//
// Nice: ApplyNice lowers the calling thread's CPU priority (nice 10) and I/O priority (best-effort
// class, level 7, the lowest; not the idle class, under which a busy production disk could starve
// the backup indefinitely). Linux applies both per thread and new threads inherit them, so call
// it in main before any worker thread or connection pool exists. By default it is on when stdout
// is not a terminal (cron, systemd) and off in an interactive shell; --nice / --no-nice and
// [limits] nice decide otherwise.
#pragma once

#include <memory>

#include "common/status.h"
#include "config/dredge_config.h"
#include "config/env_overrides.h"
#include "store/wrap/limiter.h"

namespace CLI {
class App;
}

namespace dredge {

// From the resolved config; nullptr when neither limit is set.
std::shared_ptr<Limiter> MakeLimiter(const LimitsConfig& limits);

// Registers --bwlimit RATE, --tpslimit N and --nice/--no-nice on a command, writing into `o`.
// Bad values fail parsing (exit 2) with a message naming the flag.
void AddLimitFlags(CLI::App& cmd, ConfigOverrides* o);

bool ShouldNice(LimitsConfig::Nice setting, bool stdout_is_tty);
// Unsupported when the kernel refuses (the run continues; the caller logs it).
Status ApplyNice();

}  // namespace dredge
