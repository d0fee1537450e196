// `dredge restore [--as-of TIME] [--target DIR] [--db CONNINFO] [--overwrite] [--replace]`: the
// complete system recovery. Every configured tier is restored to the same point in time (the
// newest snapshot / manifest at or before --as-of; without it, the newest of each tier, which
// no backup can change meanwhile because the restore holds each tier's lock), each from the first
// destination of its tier (--dest URL picks another):
//  - files into --target, else the configured [files] source; a non-empty directory is refused
//    unless --overwrite (then files that differ are replaced, others left alone);
//  - the table into --db, else [db] conninfo, named --into or the backed-up table's name; a
//    non-empty table is refused unless --replace.
// One tier failing does not stop the other. One summary at the end (--json: one object).
// Exit: combined over the tiers (common/exit_codes.h).
#pragma once

#include "cli/command.h"

namespace dredge {
Runner SetupRestoreAll(CLI::App& cmd, const GlobalOptions& global);
}  // namespace dredge
