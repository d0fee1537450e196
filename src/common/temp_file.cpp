#include "common/temp_file.h"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace dredge {

Result<TempFile> CreateTempFile(const std::string& dir, const std::string& prefix,
                                const char* mode) {
  std::string path = dir + "/" + prefix + "XXXXXX";
  int fd = ::mkstemp(path.data());
  if (fd < 0)
    return Status::Io("cannot create a temporary file in " + dir + ": " + std::strerror(errno) +
                      " (set TMPDIR to a writable directory)");
  std::FILE* f = ::fdopen(fd, mode);
  if (!f) {
    ::close(fd);
    ::unlink(path.c_str());
    return Status::Io("cannot open the temporary file " + path + ": " + std::strerror(errno));
  }
  return TempFile{f, path};
}

}  // namespace dredge
