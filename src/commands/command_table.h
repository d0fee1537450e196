// The table of every command main registers (cli/command.h says what an entry holds). It lives
// with the commands, above cli/, because it names each of them.
#pragma once

#include <cstddef>

#include "cli/command.h"

namespace dredge {

extern const CommandEntry kCommands[];
extern const size_t kCommandCount;

}  // namespace dredge
