// The command-line interface as data, for the generated man page and shell completions
// (cmake/docs.cmake, scripts/gen_cli_docs.py): they are built from this dump of the real
// CLI11 app, so they cannot drift from --help.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace dredge {

// Adds the hidden flag --dump-cli-json to `app`. Given, it prints the whole command tree as
// JSON on stdout and exits 0 before any command runs. Every subcommand and option registered
// before parsing is included; the shape is documented in docs/formats/cli-dump.md.
void AddCliDumpFlag(CLI::App& app);

// The JSON text --dump-cli-json prints (without the dump flag itself).
std::string DumpCli(const CLI::App& app);

}  // namespace dredge
