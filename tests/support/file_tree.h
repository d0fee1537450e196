// File helpers for end-to-end tests: read and write whole files (with a chosen mtime), and
// snapshot a directory tree as relative path → bytes (optionally with the mtime in ns) so two
// trees compare with one EXPECT_EQ.
#pragma once

#include <fcntl.h>
#include <sys/stat.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

namespace dredge::testing {

inline std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Writes `bytes` to `path` (creating directories); with mtime_s, sets the modification time to
// mtime_s + 0.25 s, so a restore that drops the nanoseconds shows in Tree(..., true).
inline void Spit(const std::string& path, const std::string& bytes, int64_t mtime_s = 0) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
  if (mtime_s) {
    struct timespec t[2] = {{mtime_s, 250000000}, {mtime_s, 250000000}};
    ::utimensat(AT_FDCWD, path.c_str(), t, 0);
  }
}

inline int64_t MtimeNs(const std::string& path) {
  struct stat st {};
  ::lstat(path.c_str(), &st);
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
}

// Replaces the bytes of a file:// store object with as many other bytes and puts its mtime back,
// so the store keeps trusting the recorded MD5 (docs/formats/file-store.md): only hashing the
// object (verify --deep) finds it.
inline void CorruptKeepingMtime(const std::string& path) {
  auto mtime = std::filesystem::last_write_time(path);
  auto size = std::filesystem::file_size(path);
  std::ofstream(path, std::ios::binary | std::ios::trunc) << std::string(size, '#');
  std::filesystem::last_write_time(path, mtime);
}

// A POSIX shell word: 'it'\''s'.
inline std::string Quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// Relative path → bytes (+ "@<mtime ns>" with `with_mtime`) of every regular file under root
// that is not a symlink, the top-level .dredge/ excluded; empty when root does not exist.
inline std::map<std::string, std::string> Tree(const std::string& root, bool with_mtime = false) {
  namespace fs = std::filesystem;
  std::map<std::string, std::string> out;
  if (!fs::exists(root)) return out;
  for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator();
       ++it) {
    std::string rel = fs::relative(it->path(), root).string();
    if (rel == ".dredge") {
      it.disable_recursion_pending();
      continue;
    }
    std::error_code ec;
    if (!it->is_regular_file(ec) || it->is_symlink()) continue;
    out[rel] = Slurp(it->path().string());
    if (with_mtime) out[rel] += "@" + std::to_string(MtimeNs(it->path().string()));
  }
  return out;
}

}  // namespace dredge::testing
