// What `dredge --version` and `dredge version` print first: the project version and the git
// commit the binary was built from.
#pragma once

#include <string>

namespace dredge {

// The short git commit hash of the build ("1a2b3c4"), or "" when it was built outside a git
// checkout (a source tarball) without -DDREDGE_GIT_COMMIT. cmake/version.cmake writes it into a
// source file of the dredge binary at build time; test binaries see "".
std::string BuildCommit();

// "dredge 0.1.0 (git 1a2b3c4)", or "dredge 0.1.0" when the commit is unknown.
std::string VersionText();

}  // namespace dredge
