// Helpers for the database tier's tests: a fresh database per test on the fixture cluster,
// SQL through libpq, and running the real dredge binary with captured output.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "engine/db/pg_conn.h"
#include "support/test_env.h"

namespace dredge::testing {

struct RunResult {
  int code = -1;
  std::string out, err;
};

inline std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

inline std::string TempDir(const std::string& tag) {
  std::string base = std::filesystem::temp_directory_path() / ("dredge-pg-" + tag + "-XXXXXX");
  std::vector<char> buf(base.begin(), base.end());
  buf.push_back('\0');
  char* d = mkdtemp(buf.data());
  return d ? d : "";
}

// Runs `dredge ARGS...` (PG* variables of the fixture cluster are in the environment).
// True when no other transaction ran at the snapshot that the manifest `manifest_key` (under
// the file:// destination `dest`) recorded (xmin == xmax). xids are cluster-wide: a transaction
// of a test running at the same time holds the cursor back, and the next incremental run
// (correctly, conservatively) writes again rows committed since it began. Exact row or chunk
// counts of a following run hold only after a quiet snapshot.
inline bool QuietSnapshot(const std::string& dest, const std::string& manifest_key) {
  std::ifstream in(dest.substr(dest.rfind("file://", 0) == 0 ? 7 : 0) + "/" + manifest_key,
                   std::ios::binary);
  auto m = nlohmann::json::parse(in, nullptr, false);
  if (!m.is_object() || !m["snapshot"]["snapshot"].is_string()) return false;
  std::string snap = m["snapshot"]["snapshot"].get<std::string>();
  size_t a = snap.find(':'), b = snap.find(':', a + 1);
  return a != std::string::npos && b != std::string::npos &&
         snap.substr(0, a) == snap.substr(a + 1, b - a - 1);
}

inline RunResult RunDredge(const std::vector<std::string>& args) {
  static std::atomic<int> n{0};
  std::string dir = std::filesystem::temp_directory_path();
  std::string base = dir + "/dredge-run-" + std::to_string(getpid()) + "-" + std::to_string(n++);
  std::string cmd = ShellQuote(DredgeBin());
  for (const auto& a : args) cmd += " " + ShellQuote(a);
  cmd += " >" + base + ".out 2>" + base + ".err";
  int st = std::system(cmd.c_str());
  RunResult r;
  r.code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  r.out = ReadAll(base + ".out");
  r.err = ReadAll(base + ".err");
  std::remove((base + ".out").c_str());
  std::remove((base + ".err").c_str());
  return r;
}

// A database created for one test and dropped after it.
class TestDb {
 public:
  explicit TestDb(const std::string& tag) {
    auto env = PgEnv();
    for (const auto& [k, v] : env) setenv(k.c_str(), v.c_str(), 1);
    static std::atomic<int> n{0};
    name_ = "dredge_" + tag + "_" + std::to_string(getpid()) + "_" + std::to_string(n++);
    auto admin = Connect("postgres");
    EXPECT_TRUE(admin->Exec("CREATE DATABASE " + name_).ok());
  }
  ~TestDb() {
    auto admin = Connect("postgres");
    (void)admin->Exec("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
  }
  const std::string& name() const { return name_; }
  std::string conninfo() const { return "dbname=" + name_; }

  static std::unique_ptr<PgConn> Connect(const std::string& db) {
    PgOptions o;
    o.conninfo = "dbname=" + db;
    auto c = PgConn::Connect(o);
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return c.ok() ? std::move(*c) : nullptr;
  }
  std::unique_ptr<PgConn> Connect() const { return Connect(name_); }

  void Exec(const std::string& sql) const {
    auto c = Connect();
    Status st = c->Exec(sql);
    ASSERT_TRUE(st.ok()) << st.ToString() << "\n" << sql;
  }
  std::string Scalar(const std::string& sql) const {
    auto c = Connect();
    auto r = c->Query(sql);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() && r->size() ? r->str(0, 0) : "";
  }
  // The table's content exactly as COPY prints it, in key order.
  std::string Dump(const std::string& table, const std::string& order = "1") const {
    auto c = Connect();
    std::string out;
    Status st = c->CopyOut("COPY (SELECT * FROM " + table + " ORDER BY " + order + ") TO STDOUT",
                           [&](std::string_view line) {
                             out.append(line);
                             out.push_back('\n');
                             return Status::Ok();
                           });
    EXPECT_TRUE(st.ok()) << st.ToString();
    return out;
  }

 private:
  std::string name_;
};

}  // namespace dredge::testing
