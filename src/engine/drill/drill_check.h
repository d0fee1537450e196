// One line of a drill's verdict ("PASS files sample …"). Engines append them in the order the
// checks ran; the command prints them and decides the exit code from the engine's Status, not
// from these lines (a SKIP is neither a pass nor a failure: the check could not be made).
#pragma once

#include <string>
#include <vector>

namespace dredge {

struct DrillCheck {
  enum class Outcome { kPass, kFail, kSkip };
  std::string name;  // "files sample", "files source", "db restore", "db rows", "db source", …
  Outcome outcome = Outcome::kPass;
  std::string detail;  // what was checked, with numbers; for a failure, what to look at
};

inline const char* OutcomeWord(DrillCheck::Outcome o) {
  switch (o) {
    case DrillCheck::Outcome::kPass:
      return "PASS";
    case DrillCheck::Outcome::kFail:
      return "FAIL";
    case DrillCheck::Outcome::kSkip:
      return "SKIP";
  }
  return "?";
}

}  // namespace dredge
