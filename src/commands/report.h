// `dredge report --html FILE [--dest URL]...`: writes one self-contained static HTML page
// (commands/report_html.h) about every tier of every destination: backup age, charts of the
// backup runs, the newest verify and drill results, failures with their messages. Without
// --dest, the destinations of dredge.toml (each with the tiers configured for it; with no tier
// configured, the tiers that have records there). Reads run and check records only; writes
// nothing but FILE (atomically: a temporary file renamed into place).
// Exit: 0 page written (a destination that cannot be read is shown as such on the page and
// warned about), 1 the page cannot be written, 2 usage.
#pragma once

#include "cli/command.h"

namespace dredge {
Runner SetupReport(CLI::App& cmd, const GlobalOptions& global);
}  // namespace dredge
