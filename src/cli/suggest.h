// What dredge says about a command line CLI11 rejected: one line naming the unknown command or
// flag, the closest known one ("did you mean 'backup'?", "did you mean '--workers'?") when one is
// close, and the help of the (sub)command the user was typing, not only the top-level one.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace dredge {

// Edit distance (insert, delete, substitute, swap of neighbours) between two words.
size_t EditDistance(const std::string& a, const std::string& b);

// The candidate nearest to `typo` when it is near enough to be a plausible typo (at most 2 edits,
// and at most a third of the word's length plus one), else "". Ties: the first in `candidates`.
std::string ClosestName(const std::string& typo, const std::vector<std::string>& candidates);

// The usage message (without "dredge: " and the newline) for `argv` that `root` refused with
// `error`. Walks argv down the subcommands, finds the first unknown command or flag, and names
// the help pointer of the deepest command reached.
std::string UsageMessage(CLI::App& root, const CLI::ParseError& error, int argc,
                         const char* const* argv);

}  // namespace dredge
