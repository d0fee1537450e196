// Peak memory is bounded by configuration, not by the size of the data (issue #7; the figures
// are in docs/BENCHMARKS.md, the bounds in docs/operations.md "Memory"). Each test runs the
// real binary twice with the same flags, on a tiny input and on one far larger than the bound,
// and compares the two peak RSS figures (wait4's ru_maxrss): what the large run adds must stay
// within the configured bound, which is itself a small fraction of the data.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "pg/pg_test_util.h"
#include "support/process.h"
#include "support/test_env.h"

namespace dredge::testing {
namespace {

namespace fs = std::filesystem;
constexpr uint64_t kMiB = 1024 * 1024;

// Writes `bytes` of incompressible-looking data (xorshift) to `path`.
void WriteNoise(const std::string& path, uint64_t bytes, uint64_t seed) {
  std::ofstream out(path, std::ios::binary);
  std::vector<uint64_t> block(kMiB / 8);
  uint64_t x = seed * 0x9E3779B97F4A7C15ull + 1;
  for (uint64_t done = 0; done < bytes; done += kMiB) {
    for (auto& w : block) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      w = x;
    }
    out.write(reinterpret_cast<const char*>(block.data()),
              static_cast<std::streamsize>(std::min<uint64_t>(kMiB, bytes - done)));
  }
}

class MemoryCap : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = TempDir("memcap");
    auto s3 = S3Env();
    env_ = {{"AWS_ACCESS_KEY_ID", "S3RVER"},
            {"AWS_SECRET_ACCESS_KEY", "S3RVER"},
            {"AWS_DEFAULT_REGION", "us-east-1"},
            {"AWS_EC2_METADATA_DISABLED", "true"},
            {"XDG_CACHE_HOME", dir_ + "/cache"}};
    endpoint_ = s3["DREDGE_TEST_S3_ENDPOINT"];
    bucket_ = s3["DREDGE_TEST_S3_BUCKET"];
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Dest(const std::string& name) {
    return "s3://" + bucket_ + "/memcap-" + std::to_string(::getpid()) + "-" + name;
  }
  // Runs dredge; returns its peak RSS in MiB (fails the test on a non-zero exit).
  double Run(std::vector<std::string> args) {
    args.insert(args.begin(), DredgeBin());
    args.insert(args.end(), {"--endpoint-url", endpoint_, "--log-dir", dir_ + "/logs"});
    ProcessResult r = RunProcess(args, env_);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return static_cast<double>(r.max_rss_kb) / 1024.0;
  }

  std::string dir_, endpoint_, bucket_;
  std::map<std::string, std::string> env_;
};

// Files: every object is streamed from the file (PUT and multipart parts read positionally),
// so a worker holds I/O buffers, never a file or a part. 136 MiB of data, one file above the
// 64 MiB multipart threshold: the large backup and restore may add at most 4 workers × 4 MiB.
TEST_F(MemoryCap, FilesBackupAndRestoreMemoryDoesNotGrowWithTheData) {
  const std::string small = dir_ + "/small", big = dir_ + "/big";
  fs::create_directories(small);
  fs::create_directories(big);
  WriteNoise(small + "/one.txt", 1024, 1);
  WriteNoise(big + "/huge.txt", 72 * kMiB, 2);  // multipart: 5 parts of 16 MiB
  for (int i = 0; i < 8; ++i) WriteNoise(big + "/f" + std::to_string(i), 8 * kMiB, 10 + i);
  const std::vector<std::string> flags = {"--workers", "4", "--json"};
  auto backup = [&](const std::string& src, const std::string& dest) {
    std::vector<std::string> a = {"backup", "files", "--source", src, "--dest", dest};
    a.insert(a.end(), flags.begin(), flags.end());
    return Run(a);
  };
  auto restore = [&](const std::string& dest, const std::string& target) {
    std::vector<std::string> a = {"restore", "files", "--dest", dest, "--target", target};
    a.insert(a.end(), flags.begin(), flags.end());
    return Run(a);
  };
  double b_small = backup(small, Dest("small")), b_big = backup(big, Dest("big"));
  double r_small = restore(Dest("small"), dir_ + "/r-small");
  double r_big = restore(Dest("big"), dir_ + "/r-big");
  ASSERT_EQ(fs::file_size(dir_ + "/r-big/huge.txt"), 72 * kMiB);
  const double bound = 4 * 4.0;  // workers × 4 MiB of buffers
  RecordProperty("files_backup_rss_mib", std::to_string(b_small) + " -> " + std::to_string(b_big));
  RecordProperty("files_restore_rss_mib", std::to_string(r_small) + " -> " + std::to_string(r_big));
  std::printf(
      "files: backup peak RSS %.1f MiB (1 KiB corpus) vs %.1f MiB (136 MiB corpus); "
      "restore %.1f vs %.1f MiB\n",
      b_small, b_big, r_small, r_big);
  EXPECT_LT(b_big - b_small, bound) << "backup of 136 MiB grew the peak RSS beyond the bound";
  EXPECT_LT(r_big - r_small, bound) << "restore of 136 MiB grew the peak RSS beyond the bound";
}

// Database: chunks close at --chunk-bytes; at most (workers + 2) chunks are held, each as rows
// and as encoded body, so the bound is (workers + 2) × 2 × chunk bytes: 8 MiB here for a
// table of ~96 MiB (as COPY text). Restore holds at most workers + 2 chunks, each fetched and
// decoded: (workers + 2) × 4 × chunk bytes.
TEST_F(MemoryCap, DbBackupAndRestoreMemoryIsBoundedByChunkBytesTimesWorkers) {
  TestDb small_db("memcap_small"), big_db("memcap_big");
  const char* ddl = "CREATE TABLE articles (id int PRIMARY KEY, title text, content text);";
  small_db.Exec(std::string(ddl) +
                "INSERT INTO articles SELECT g, 'title ' || g, repeat(md5(g::text), 10) "
                "FROM generate_series(1, 50) g");
  big_db.Exec(std::string(ddl) +
              "INSERT INTO articles SELECT g, 'title ' || g, repeat(md5(g::text), 375) "
              "FROM generate_series(1, 8000) g");  // 8000 × 12 KB ≈ 96 MB
  const std::vector<std::string> flags = {"--workers",    "2",       "--chunk-bytes", "1M",
                                          "--chunk-size", "1000000", "--json"};
  auto backup = [&](const TestDb& db, const std::string& dest) {
    std::vector<std::string> a = {"backup",  "db",       "--db",   db.conninfo(),
                                  "--table", "articles", "--dest", dest};
    a.insert(a.end(), flags.begin(), flags.end());
    return Run(a);
  };
  auto restore = [&](const std::string& dest, const TestDb& into) {
    return Run({"restore", "db", "--dest", dest, "--db", into.conninfo(), "--workers", "2"});
  };
  double b_small = backup(small_db, Dest("db-small")), b_big = backup(big_db, Dest("db-big"));
  TestDb small_dst("memcap_rs"), big_dst("memcap_rb");
  double r_small = restore(Dest("db-small"), small_dst), r_big = restore(Dest("db-big"), big_dst);
  EXPECT_EQ(big_dst.Scalar("SELECT count(*) FROM articles"), "8000");
  EXPECT_EQ(big_dst.Dump("articles"), big_db.Dump("articles"));
  // Backup: (workers + 2) × 2 × chunk MiB. Restore: each of the (workers + 2) chunks in flight
  // is held as fetched body, decoded COPY lines and keys: (workers + 2) × 4 × chunk MiB.
  // Both plus 8 MiB for libpq's COPY buffers and the allocator's per-thread arenas.
  const double backup_bound = (2 + 2) * 2 * 1.0 + 8.0, restore_bound = (2 + 2) * 4 * 1.0 + 8.0;
  std::printf(
      "db: backup peak RSS %.1f MiB (50 rows) vs %.1f MiB (~96 MB table); "
      "restore %.1f vs %.1f MiB\n",
      b_small, b_big, r_small, r_big);
  EXPECT_LT(b_big - b_small, backup_bound) << "backup of ~96 MB grew the peak RSS beyond the bound";
  EXPECT_LT(r_big - r_small, restore_bound)
      << "restore of ~96 MB grew the peak RSS beyond the bound";
}

}  // namespace
}  // namespace dredge::testing
