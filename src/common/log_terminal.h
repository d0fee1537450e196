// The terminal status line of the log sink (common/log.h), for a progress bar: stderr's current
// line has one owner, the sink. While a status line is shown, every log line written to stderr
// first clears it ("\r\033[K"), is printed, and the status line is drawn again, all under the
// sink's lock, so a log line or warning never lands on top of (or in the middle of) a bar. Only
// callers that know stderr is a terminal draw one (common/progress.h). Text is scrubbed of
// registered secrets like every line.
#pragma once

#include <string_view>

namespace dredge::log {

// Shows `line` as the status line (replacing the one shown); no newline.
void SetStatusLine(std::string_view line);
// Removes the status line; a non-empty `final_line` is printed in its place as an ordinary
// stderr line (not to the log file). Harmless when none is shown.
void EndStatusLine(std::string_view final_line);

}  // namespace dredge::log
