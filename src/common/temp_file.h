// A new temporary file in a directory the caller names (usually $TMPDIR), opened as a stdio
// stream. The caller owns both: fclose the stream, unlink the path when it is done (or at once,
// for a file only this process needs to read back).
#pragma once

#include <cstdio>
#include <string>

#include "common/status.h"

namespace dredge {

struct TempFile {
  std::FILE* f = nullptr;
  std::string path;
};

// Creates `<dir>/<prefix>XXXXXX` (mode 0600) and opens it with fdopen `mode` ("w", "w+b").
// Io naming the directory, the reason and what to do when it cannot be made.
Result<TempFile> CreateTempFile(const std::string& dir, const std::string& prefix,
                                const char* mode);

}  // namespace dredge
