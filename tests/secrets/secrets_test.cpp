// Secrets never leave the process: the real dredge is run against the S3 test server and
// PostgreSQL with recognisable credentials, at every verbosity and output format, for every
// command that touches a store or the database. The credentials must not appear on stdout,
// stderr, in the log files under --log-dir, or in any object written to a store (run records
// included). Credentials come from the environment and files, never from flags, so the
// process's command line is not where a secret is expected; the one place a user can still put
// one (a password inside --db) draws a warning.
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "pg/pg_test_util.h"
#include "support/process.h"
#include "support/test_env.h"

namespace dredge::testing {
namespace {

namespace fs = std::filesystem;

constexpr char kWrongSecret[] = "WrongSecret-Recognisable-9f3k";
constexpr char kPgPassword[] = "PgSecret-Recognisable-7q2z";
constexpr char kSessionToken[] = "SessionToken-Recognisable-4m8x";
// s3rver accepts this key pair (its default); anything else is refused with 403.
constexpr char kGoodKeyId[] = "S3RVER";
constexpr char kGoodSecret[] = "S3RVER";

// The verbosity/format combinations a user can choose; each run also asks for --json where the
// command has it.
const std::vector<std::vector<std::string>> kVerbosities = {
    {"-v"}, {}, {"-q"}, {"--log-format", "json"}, {"-v", "--log-format", "json"}};

std::string Slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Every regular file under `root` whose bytes contain `needle`.
std::vector<std::string> FilesContaining(const std::string& root, const std::string& needle) {
  std::vector<std::string> hits;
  std::error_code ec;
  if (!fs::exists(root, ec)) return hits;
  for (auto it = fs::recursive_directory_iterator(root, ec);
       it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) break;
    if (it->is_regular_file(ec) && Slurp(it->path()).find(needle) != std::string::npos)
      hits.push_back(it->path().string());
  }
  return hits;
}

size_t FileCount(const std::string& root) {
  size_t n = 0;
  std::error_code ec;
  if (!fs::exists(root, ec)) return 0;
  for (auto it = fs::recursive_directory_iterator(root, ec);
       it != fs::recursive_directory_iterator(); it.increment(ec))
    if (it->is_regular_file(ec)) ++n;
  return n;
}

class Secrets : public ::testing::Test {
 protected:
  void SetUp() override {
    s3_ = S3Env();
    pg_ = PgEnv();
    ASSERT_FALSE(s3_.empty());
    ASSERT_FALSE(pg_.empty());
    work_ = TempDir("secrets");
    ASSERT_FALSE(work_.empty());
    logs_ = work_ + "/logs";
    source_ = work_ + "/source";
    fs::create_directories(source_ + "/sub");
    std::ofstream(source_ + "/a.txt") << "alpha\n";
    std::ofstream(source_ + "/sub/b.txt") << "beta beta\n";
    // Never let the developer's own AWS files or config change what is tested.
    base_env_ = {{"HOME", work_},
                 {"AWS_SHARED_CREDENTIALS_FILE", work_ + "/no-credentials"},
                 {"AWS_CONFIG_FILE", work_ + "/no-config"},
                 {"AWS_REGION", "us-east-1"},
                 {"XDG_CONFIG_HOME", work_ + "/xdg"}};
    for (const auto& [k, v] : pg_) base_env_[k] = v;
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(work_, ec);
  }

  // Runs dredge with the global flags `verbosity`, then `args`, in `env`; checks the secrets
  // are nowhere in its output and remembers the run for the failure message.
  ProcessResult Run(const std::vector<std::string>& verbosity, const std::vector<std::string>& args,
                    const std::map<std::string, std::string>& extra_env) {
    std::vector<std::string> argv = {DredgeBin(), "--log-dir", logs_};
    argv.insert(argv.end(), verbosity.begin(), verbosity.end());
    argv.insert(argv.end(), args.begin(), args.end());
    auto env = base_env_;
    for (const auto& [k, v] : extra_env) env[k] = v;
    ProcessResult r = RunProcess(argv, env, work_);
    std::string line;
    for (const auto& a : argv) line += a + " ";
    ++runs_;
    for (const char* secret : {kWrongSecret, kPgPassword, kSessionToken}) {
      EXPECT_EQ(r.out.find(secret), std::string::npos)
          << "stdout of `" << line << "` shows a secret:\n"
          << r.out;
      EXPECT_EQ(r.err.find(secret), std::string::npos)
          << "stderr of `" << line << "` shows a secret:\n"
          << r.err;
    }
    return r;
  }

  void ExpectNoSecretUnder(const std::string& root, const std::string& what) {
    for (const char* secret : {kWrongSecret, kPgPassword, kSessionToken}) {
      auto hits = FilesContaining(root, secret);
      EXPECT_TRUE(hits.empty()) << what << " holds a secret in " << hits.size()
                                << " file(s), first " << (hits.empty() ? "" : hits[0]);
    }
  }

  std::string S3Url(const std::string& prefix) const {
    return "s3://" + s3_.at("DREDGE_TEST_S3_BUCKET") + "/" + prefix;
  }
  std::vector<std::string> S3Flags() const {
    return {"--endpoint-url", s3_.at("DREDGE_TEST_S3_ENDPOINT"), "--path-style"};
  }
  // A connection string whose password is the recognisable one (the test cluster trusts
  // loopback, so the password is accepted and unused: the runs succeed).
  static std::string WithPassword(const std::string& conninfo) {
    return conninfo + " password=" + kPgPassword;
  }
  std::string UriWithPassword(const std::string& db) const {
    return "postgresql://postgres:" + std::string(kPgPassword) + "@" + pg_.at("PGHOST") + ":" +
           pg_.at("PGPORT") + "/" + db;
  }

  static std::vector<std::string> Cat(std::vector<std::string> a,
                                      const std::vector<std::string>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
  }

  std::map<std::string, std::string> s3_, pg_, base_env_;
  std::string work_, logs_, source_;
  int runs_ = 0;
};

// A wrong secret key: every S3 command fails (403), clearly, and never shows the secret.
TEST_F(Secrets, WrongS3SecretNeverShowsAtAnyVerbosity) {
  TestDb db("secrets_s3");
  db.Exec("CREATE TABLE t (id int PRIMARY KEY, v text)");
  db.Exec("INSERT INTO t SELECT g, 'row ' || g FROM generate_series(1, 20) g");
  std::map<std::string, std::string> env = {{"AWS_ACCESS_KEY_ID", kGoodKeyId},
                                            {"AWS_SECRET_ACCESS_KEY", kWrongSecret}};
  const std::string files = S3Url("secrets-wrong/files");
  const std::string dbdest = S3Url("secrets-wrong/db");
  const std::string conninfo = WithPassword(db.conninfo());
  for (const auto& verbosity : kVerbosities) {
    std::vector<std::vector<std::string>> commands = {
        {"backup", "files", "--source", source_, "--dest", files, "--json"},
        {"restore", "files", "--dest", files, "--target", work_ + "/restored", "--json"},
        {"verify", "files", "--dest", files, "--json"},
        {"backup", "db", "--db", conninfo, "--table", "t", "--dest", dbdest, "--json"},
        {"restore", "db", "--dest", dbdest, "--db", conninfo, "--into", "t2", "--json"},
        {"verify", "db", "--dest", dbdest, "--json"},
        {"status", "--dest", files, "--json"},
        {"status", "--dest", dbdest},
        {"check", "--dest", files, "--db", conninfo},
        {"backup", "files", "--source", source_, "--dest", files},
    };
    for (const auto& c : commands) {
      ProcessResult r = Run(verbosity, Cat(c, S3Flags()), env);
      // status may report "no runs" for an unreadable store; every other command must fail.
      if (c[0] != "status") {
        EXPECT_NE(r.exit_code, 0) << c[0] << " " << c[1] << "\n" << r.err;
      }
    }
  }
  ExpectNoSecretUnder(logs_, "--log-dir");
  EXPECT_GT(FileCount(logs_), 0u) << "no log file was written: the log check proves nothing";
  ExpectNoSecretUnder(s3_.at("DREDGE_TEST_S3_DATA"), "the S3 server's data");
  ExpectNoSecretUnder(work_, "the working directory");
  EXPECT_EQ(runs_, 50);
}

// The right key with a recognisable session token and a database password: every run succeeds,
// and neither secret reaches the objects written (chunks, manifests, snapshots, run records).
TEST_F(Secrets, SessionTokenAndDbPasswordNeverReachTheStoreOrLogs) {
  TestDb src("secrets_ok");
  TestDb dst("secrets_dst");
  src.Exec("CREATE TABLE t (id int PRIMARY KEY, v text)");
  src.Exec("INSERT INTO t SELECT g, 'row ' || g FROM generate_series(1, 20) g");
  std::map<std::string, std::string> env = {{"AWS_ACCESS_KEY_ID", kGoodKeyId},
                                            {"AWS_SECRET_ACCESS_KEY", kGoodSecret},
                                            {"AWS_SESSION_TOKEN", kSessionToken}};
  const std::string files = S3Url("secrets-ok/files");
  const std::string dbdest = S3Url("secrets-ok/db");
  const std::string local = "file://" + work_ + "/store";
  int n = 0;
  for (const auto& verbosity : kVerbosities) {
    // Alternate the key=value and the URI spellings of the password.
    const std::string conninfo = n % 2 ? UriWithPassword(src.name()) : WithPassword(src.conninfo());
    const std::string dst_conninfo =
        n % 2 ? UriWithPassword(dst.name()) : WithPassword(dst.conninfo());
    const std::string into = "copy_" + std::to_string(n++);
    src.Exec("INSERT INTO t VALUES (" + std::to_string(100 + n) + ", 'more')");
    std::ofstream(source_ + "/c" + std::to_string(n) + ".txt") << "file " << n << "\n";
    std::vector<std::vector<std::string>> s3_commands = {
        {"backup", "files", "--source", source_, "--dest", files, "--json"},
        {"verify", "files", "--dest", files, "--json"},
        {"restore", "files", "--dest", files, "--target", work_ + "/r" + into, "--json"},
        {"backup", "db", "--db", conninfo, "--table", "t", "--dest", dbdest, "--json"},
        {"verify", "db", "--dest", dbdest, "--db", conninfo, "--table", "t", "--json"},
        {"restore", "db", "--dest", dbdest, "--db", dst_conninfo, "--into", into, "--json"},
        {"status", "--dest", files, "--dest", dbdest, "--json"},
        {"check", "--dest", files, "--db", conninfo, "--table", "t"},
    };
    for (const auto& c : s3_commands) {
      ProcessResult r = Run(verbosity, Cat(c, S3Flags()), env);
      EXPECT_EQ(r.exit_code, 0) << c[0] << " " << c[1] << "\n" << r.err << r.out;
    }
    ProcessResult b =
        Run(verbosity, {"backup", "db", "--db", conninfo, "--table", "t", "--dest", local}, env);
    EXPECT_EQ(b.exit_code, 0) << b.err;
    EXPECT_NE(b.err.find("contains a password"), std::string::npos)
        << "a password inside --db must draw a warning (-q keeps warnings):\n"
        << b.err;
    ProcessResult v = Run(verbosity, {"verify", "db", "--dest", local, "--json"}, env);
    EXPECT_EQ(v.exit_code, 0) << v.err;
  }
  EXPECT_EQ(dst.Scalar("SELECT count(*) FROM copy_0"), "21");
  ExpectNoSecretUnder(logs_, "--log-dir");
  EXPECT_GT(FileCount(logs_), 0u);
  ExpectNoSecretUnder(s3_.at("DREDGE_TEST_S3_DATA"), "the S3 server's data");
  EXPECT_GT(FileCount(s3_.at("DREDGE_TEST_S3_DATA")), 0u);
  ExpectNoSecretUnder(work_ + "/store", "the file:// store");
  EXPECT_GT(FileCount(work_ + "/store"), 0u);
}

// A usage error is reported before any credential is loaded: an env secret still never shows,
// even when the user pastes it into a flag value by mistake.
TEST_F(Secrets, UsageErrorsNeverEchoASecret) {
  std::map<std::string, std::string> env = {{"AWS_ACCESS_KEY_ID", kGoodKeyId},
                                            {"AWS_SECRET_ACCESS_KEY", kWrongSecret},
                                            {"PGPASSWORD", kPgPassword}};
  for (const auto& verbosity : kVerbosities) {
    ProcessResult a = Run(
        verbosity,
        {"backup", "files", "--source", source_, "--dest", S3Url("x"), "--workers", kWrongSecret},
        env);
    EXPECT_EQ(a.exit_code, 2) << a.err;
    ProcessResult b =
        Run(verbosity,
            {"backup", "db", "--db", std::string("password=") + kPgPassword, "--table", "t",
             "--dest", S3Url("x"), "--statement-timeout", kPgPassword},
            env);
    EXPECT_EQ(b.exit_code, 2) << b.err;
  }
}

// There is no flag that takes an S3 secret, a session token or a password: credentials come
// from the environment and files (docs/design.md "Secrets"), so /proc/<pid>/cmdline holds none.
TEST_F(Secrets, NoCommandTakesACredentialOnTheCommandLine) {
  for (std::vector<std::string> c : {std::vector<std::string>{"backup", "files"},
                                     {"backup", "db"},
                                     {"restore", "files"},
                                     {"restore", "db"},
                                     {"verify", "files"},
                                     {"verify", "db"},
                                     {"status"},
                                     {"check"}}) {
    c.push_back("--help");
    ProcessResult r = Run({}, c, {});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    for (const char* flag :
         {"--secret", "--password", "--access-key", "--aws-secret", "--session-token", "--token"})
      EXPECT_EQ(r.out.find(flag), std::string::npos) << c[0] << " offers " << flag;
  }
  ProcessResult r = Run({},
                        {"backup", "files", "--source", source_, "--dest", S3Url("x"),
                         "--aws-secret-access-key", "x"},
                        {});
  EXPECT_EQ(r.exit_code, 2);
}

// While dredge runs, its command line (what `ps` shows every user) holds no secret.
TEST_F(Secrets, RunningProcessCommandLineHoldsNoSecret) {
  std::vector<std::string> argv = {DredgeBin(), "--log-dir", logs_,
                                   "backup",    "files",     "--source",
                                   source_,     "--dest",    S3Url("secrets-cmdline")};
  for (const auto& f : S3Flags()) argv.push_back(f);
  pid_t pid = fork();
  if (pid == 0) {
    for (const auto& [k, v] : base_env_) setenv(k.c_str(), v.c_str(), 1);
    setenv("AWS_ACCESS_KEY_ID", kGoodKeyId, 1);
    setenv("AWS_SECRET_ACCESS_KEY", kGoodSecret, 1);
    setenv("AWS_SESSION_TOKEN", kSessionToken, 1);
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  ASSERT_GT(pid, 0);
  // Read the command line once the child is dredge (after exec), while it runs.
  const std::string proc = "/proc/" + std::to_string(pid);
  const std::string want = fs::canonical(DredgeBin()).string();
  std::string cmdline;
  for (int i = 0; i < 2000 && cmdline.empty(); ++i) {
    std::error_code ec;
    if (fs::read_symlink(proc + "/exe", ec).string() == want)
      cmdline = Slurp(proc + "/cmdline");
    else
      usleep(1000);
  }
  int st = 0;
  waitpid(pid, &st, 0);
  ASSERT_FALSE(cmdline.empty()) << "dredge exited before its command line could be read";
  EXPECT_NE(cmdline.find("backup"), std::string::npos);
  EXPECT_EQ(cmdline.find(kSessionToken), std::string::npos) << cmdline;
  EXPECT_EQ(cmdline.find("SECRET"), std::string::npos) << cmdline;
}

}  // namespace
}  // namespace dredge::testing
