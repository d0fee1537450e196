// Suite 4: hostile input. Awkward file names (newline, tab, invalid UTF-8, backslash, long
// names and paths) are stored byte-exact or refused by name, never mangled; symlinks are not
// followed out of the source; FIFOs and sockets are skipped with a warning; a file the backup
// may not read is named with exit 3 (the run really drops privileges to `nobody`); snapshot
// entries whose keys would escape the restore target are refused by name; DB values at the
// edges round-trip; bad flags and config values exit 2 with a one-line message.
#include <grp.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "hardening_support.h"
#include "pg/pg_test_util.h"

namespace dredge::hardening {
namespace {

int inputs_tried = 0;

TEST(HostileInput, AwkwardNamesAreStoredByteExactOrRefusedByName) {
  auto s3 = S3();
  std::vector<std::string> names = {
      "new\nline.txt",
      "tab\there.txt",
      "bad\xff\xfe-utf8.txt",
      "back\\slash.txt",
      "trailing space ",
      " leading space",
      "quote\"'`.txt",
      "ctrl\x01\x1f.txt",
      "star*?[].txt",
      std::string(250, 'L') + ".txt",
      "dir\nwith\tnl/inner.txt",
      // A path beyond the 1024-byte key limit: must be refused by name, not cut short.
      std::string(250, 'a') + "/" + std::string(250, 'b') + "/" + std::string(250, 'c') + "/" +
          std::string(250, 'd') + "/" + std::string(100, 'e') + ".txt",
  };
  for (const std::string store_kind : {"file", "s3"}) {
    SCOPED_TRACE(store_kind);
    ScratchDir dir("names-" + store_kind);
    std::string src = dir.path() + "/src";
    int i = 0;
    for (const auto& n : names) Spit(src + "/" + n, "body " + std::to_string(i++) + " of " + n);
    inputs_tried += static_cast<int>(names.size());
    std::vector<std::string> store = {
        "--dest", store_kind == "file" ? "file://" + dir.path() + "/store"
                                       : "s3://" + s3.bucket + "/" + UniquePrefix("names")};
    if (store_kind == "s3") store.insert(store.end(), {"--endpoint-url", s3.endpoint});
    std::vector<std::string> args = {
        "--log-dir", dir.path() + "/logs",         "backup", "files", "--source", src,
        "--state",   dir.path() + "/state.sqlite", "--json"};
    args.insert(args.end(), store.begin(), store.end());
    DredgeRun b = Dredge(args);
    EXPECT_TRUE(b.code == 0 || b.code == 3) << b.err;
    std::vector<std::string> rargs = {"restore", "files", "--target", dir.path() + "/restored",
                                      "--json"};
    rargs.insert(rargs.end(), store.begin(), store.end());
    DredgeRun r = Dredge(rargs);
    EXPECT_EXIT_CODE(r, 0);
    auto want = Tree(src);
    auto got = Tree(dir.path() + "/restored");
    int exact = 0, refused = 0;
    std::string refused_names;
    for (const auto& [k, bytes] : want) {
      auto it = got.find(k);
      if (it != got.end()) {
        EXPECT_TRUE(it->second == bytes) << "wrong bytes for " << k;
        ++exact;
        continue;
      }
      // Not restored: the backup must have refused it by its name (first 40 bytes suffice to
      // tell which), and said so with exit 3.
      std::string tail = fs::path(k).filename().string().substr(0, 40);
      EXPECT_EQ(b.code, 3) << k << " silently left out";
      EXPECT_NE(b.err.find(tail), std::string::npos) << k << " not named: " << b.err;
      ++refused;
      refused_names += (refused_names.empty() ? "" : ",") +
                       json(k.substr(0, 24)).dump(-1, ' ', true, json::error_handler_t::replace);
    }
    for (const auto& [k, bytes] : got) EXPECT_TRUE(want.count(k)) << "mangled name restored: " << k;
    // On a filesystem store only the over-long path cannot be a key. S3 keys are UTF-8 and
    // the server may refuse control characters: refused by name is the allowed outcome there.
    if (store_kind == "file") {
      EXPECT_LE(refused, 1);
    } else {
      // Said plainly, not as the server's misleading signature mismatch.
      EXPECT_NE(b.err.find("not valid UTF-8"), std::string::npos) << b.err;
      EXPECT_EQ(b.err.find("SignatureDoesNotMatch"), std::string::npos) << b.err;
    }
    Report("hostile names " + store_kind, "inputs=" + std::to_string(names.size()) +
                                              " exact=" + std::to_string(exact) +
                                              " refused_by_name=" + std::to_string(refused) + " [" +
                                              refused_names + "] mangled=0");
  }
}

TEST(HostileInput, SymlinksFifosAndSocketsStayOut) {
  ScratchDir dir("special");
  std::string src = dir.path() + "/src";
  Spit(src + "/real.txt", "real");
  Spit(dir.path() + "/outside/secret.txt", "outside secret");
  fs::create_directory_symlink(dir.path() + "/outside", src + "/link-dir");
  fs::create_symlink(dir.path() + "/outside/secret.txt", src + "/link-file");
  fs::create_symlink("/etc/passwd", src + "/link-abs");
  ASSERT_EQ(::mkfifo((src + "/a-fifo").c_str(), 0644), 0);
  int sock = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::string sock_path = src + "/a-socket";
  ASSERT_LT(sock_path.size(), sizeof addr.sun_path);
  std::strcpy(addr.sun_path, sock_path.c_str());
  ASSERT_EQ(::bind(sock, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  inputs_tried += 5;
  std::string dest = "file://" + dir.path() + "/store";
  // A FIFO is never opened (that would block the run): the run finishes promptly.
  DredgeRun b = Dredge({"--log-dir", dir.path() + "/logs", "backup", "files", "--source", src,
                        "--dest", dest, "--state", dir.path() + "/state.sqlite", "--json"});
  ::close(sock);
  EXPECT_EXIT_CODE(b, 0);
  EXPECT_EQ(b.j.value("scanned", -1), 1) << b.out;
  EXPECT_NE(b.err.find("a-fifo"), std::string::npos) << "FIFO skipped without a warning: " << b.err;
  EXPECT_NE(b.err.find("a-socket"), std::string::npos) << "socket skipped silently: " << b.err;
  DredgeRun r = Dredge({"restore", "files", "--dest", dest, "--target", dir.path() + "/restored"});
  EXPECT_EXIT_CODE(r, 0);
  std::map<std::string, std::string> want = {{"real.txt", "real"}};
  auto got = Tree(dir.path() + "/restored");
  EXPECT_TRUE(got == want) << TreeDiff(want, got);
  EXPECT_FALSE(fs::exists(dir.path() + "/store/link-dir/secret.txt"));
  EXPECT_FALSE(fs::exists(dir.path() + "/store/link-file"));
  Report("hostile special-files", "inputs=5 followed_out=0 special_files_skipped_with_warning=2");
}

// Runs dredge as `nobody` (real setuid in the forked child: the kernel enforces the mode bits).
DredgeRun RunAsNobody(const std::vector<std::string>& args, const std::string& scratch) {
  struct passwd* pw = ::getpwnam("nobody");
  EXPECT_NE(pw, nullptr);
  DredgeRun r;
  if (!pw) return r;
  std::string out = scratch + "/nobody.out", err = scratch + "/nobody.err";
  pid_t pid = ::fork();
  if (pid == 0) {
    int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int e = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(o, 1);
    ::dup2(e, 2);
    if (::setgroups(0, nullptr) != 0 || ::setgid(pw->pw_gid) != 0 || ::setuid(pw->pw_uid) != 0)
      ::_exit(126);
    ::setenv("HOME", scratch.c_str(), 1);
    std::vector<std::string> argv = {testing::DredgeBin()};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<char*> a;
    for (auto& s : argv) a.push_back(s.data());
    a.push_back(nullptr);
    ::execv(a[0], a.data());
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = Slurp(out);
  r.err = Slurp(err);
  r.j = json::parse(r.out, nullptr, false);
  if (r.j.is_discarded()) r.j = json();
  return r;
}

TEST(HostileInput, UnreadableFileIsNamedWithExitThree) {
  ASSERT_EQ(::geteuid(), 0u) << "this case drops privileges and needs to start as root";
  ScratchDir dir("denied");
  struct passwd* pw = ::getpwnam("nobody");
  ASSERT_NE(pw, nullptr);
  std::string src = dir.path() + "/src";
  Spit(src + "/ok.txt", "readable");
  Spit(src + "/denied.txt", "root only");
  Spit(src + "/closed/inner.txt", "in a closed directory");
  std::string scratch = dir.path() + "/work";
  fs::create_directories(scratch);
  ::chmod(dir.path().c_str(), 0755);
  for (const auto& p : {src, src + "/ok.txt", src + "/closed", src + "/closed/inner.txt", scratch})
    ASSERT_EQ(::chown(p.c_str(), pw->pw_uid, pw->pw_gid), 0) << p;
  ::chmod((src + "/denied.txt").c_str(), 0600);  // owned by root
  ::chmod((src + "/closed").c_str(), 0);         // nobody's own, but mode 000
  inputs_tried += 2;
  DredgeRun b =
      RunAsNobody({"--log-dir", scratch + "/logs", "backup", "files", "--source", src, "--dest",
                   "file://" + scratch + "/store", "--state", scratch + "/state.sqlite", "--json"},
                  scratch);
  EXPECT_EXIT_CODE(b, 3);
  EXPECT_NE(b.err.find("denied.txt"), std::string::npos) << b.err;
  EXPECT_NE(b.err.find("closed"), std::string::npos) << b.err;
  EXPECT_TRUE(fs::exists(scratch + "/store/ok.txt"));
  EXPECT_FALSE(fs::exists(scratch + "/store/denied.txt"));
  Report("hostile permission-denied",
         "inputs=2 named=" +
             std::to_string((b.err.find("denied.txt") != std::string::npos) +
                            (b.err.find("closed") != std::string::npos)) +
             " exit=" + std::to_string(b.code));
}

TEST(HostileInput, SnapshotKeysEscapingTheTargetAreRefused) {
  ScratchDir dir("escape");
  std::string src = dir.path() + "/src";
  Spit(src + "/good.txt", "good");
  std::string store = dir.path() + "/store";
  DredgeRun b = Dredge({"--log-dir", dir.path() + "/logs", "backup", "files", "--source", src,
                        "--dest", "file://" + store, "--state", dir.path() + "/state.sqlite"});
  ASSERT_EQ(b.code, 0) << b.err;
  std::string snap;
  for (const auto& e : fs::directory_iterator(store + "/.dredge/snapshots"))
    snap = e.path().string();
  json s = json::parse(Slurp(snap));
  json good = s["files"][0];
  std::vector<std::string> evil = {"../escaped.txt",           "/abs-escaped.txt",
                                   "sub/../../escaped2.txt",   "a//b.txt",
                                   ".dredge/snapshots/x.json", "./dot.txt"};
  for (const auto& k : evil) {
    json e = good;
    e["path"] = k;
    s["files"].push_back(e);
  }
  inputs_tried += static_cast<int>(evil.size());
  std::ofstream(snap, std::ios::trunc) << s.dump();
  std::string target = dir.path() + "/t/target";
  fs::create_directories(target);
  DredgeRun r =
      Dredge({"restore", "files", "--dest", "file://" + store, "--target", target, "--json"});
  EXPECT_NE(r.code, 0) << r.err;
  int named = 0;
  for (const auto& k : evil) {
    bool n = r.err.find(k) != std::string::npos;
    EXPECT_TRUE(n) << k << " not refused by name: " << r.err;
    named += n;
  }
  EXPECT_FALSE(fs::exists(dir.path() + "/t/escaped.txt"));
  EXPECT_FALSE(fs::exists(dir.path() + "/escaped2.txt"));
  EXPECT_FALSE(fs::exists("/abs-escaped.txt"));
  EXPECT_EQ(Slurp(target + "/good.txt"), "good");
  Report("hostile escaping-keys", "inputs=" + std::to_string(evil.size()) +
                                      " refused_by_name=" + std::to_string(named) + " escaped=0");
}

TEST(HostileInput, DbValuesAtTheEdgesRoundTrip) {
  UsePgEnv();
  testing::TestDb src("hedges");
  // One character from every Unicode plane (0-16), the COPY null marker and escapes as text,
  // every NUL-free control character, float and numeric specials, huge numerics, nested
  // arrays and jsonb with escapes.
  src.Exec(R"(
CREATE TABLE e (id int PRIMARY KEY, t text, ta text[], n numeric, f float8, j jsonb);
INSERT INTO e SELECT p, string_agg(chr(CASE WHEN p = 0 THEN 65533 ELSE p * 65536 + 62976 END), ''),
  NULL, NULL, NULL, NULL FROM generate_series(0, 16) p GROUP BY p;
INSERT INTO e VALUES
 (100, E'\\N', ARRAY[E'\\N', NULL, 'NULL', ''], 'NaN', 'NaN', '{"a": "\\u0000x"}'::jsonb - 'a'),
 (101, E'back\\\\slash \\ \\t \\n', ARRAY[E'a\\b', 'c"d', '{}', ','], 1e1000, 'Infinity', '"\\\\"'),
 (102, (SELECT string_agg(chr(c), '') FROM generate_series(1, 31) c) || chr(127),
       ARRAY[chr(1), chr(9), chr(10)], -1e-1000, '-Infinity', '{"k": [1, {"x": null}], "e": "\u00e9\ud83d\ude00"}'),
 (103, repeat(chr(1114109), 1000), '{{"x","y"},{"z",NULL}}', 'Infinity', -0.0, '[1e400]'),
 (104, '', '{}', '-Infinity', 1.7976931348623157e308, 'null'),
 (105, NULL, NULL, 123456789012345678901234567890.123456789012345678901234567890, 4.9e-324, '"\t"');
)");
  ScratchDir store("edges-store");
  std::string dest = "file://" + store.path();
  DredgeRun b = Dredge({"backup", "db", "--db", src.conninfo(), "--table", "e", "--dest", dest,
                        "--chunk-size", "3"});
  ASSERT_EQ(b.code, 0) << b.err;
  testing::TestDb dst("hedgesr");
  DredgeRun r = Dredge({"restore", "db", "--dest", dest, "--db", dst.conninfo()});
  ASSERT_EQ(r.code, 0) << r.err;
  std::string want = src.Dump("e", "id");
  EXPECT_EQ(dst.Dump("e", "id"), want);
  EXPECT_EQ(dst.Scalar("SELECT t FROM e WHERE id = 100"), "\\N");
  EXPECT_EQ(dst.Scalar("SELECT count(*) FROM e WHERE t IS NULL"), "1");
  int rows = std::stoi(src.Scalar("SELECT count(*) FROM e"));
  inputs_tried += rows;
  Report("hostile db-edges", "rows=" + std::to_string(rows) +
                                 " planes=17 lost=" + (dst.Dump("e", "id") == want ? "0" : "1"));
}

TEST(HostileInput, BadFlagsAndConfigValuesExitTwoWithOneLine) {
  ScratchDir dir("flags");
  std::string src = dir.path() + "/src";
  Spit(src + "/a", "a");
  std::string d = "file://" + dir.path() + "/store";
  auto cfg = [&](const std::string& name, const std::string& text) {
    std::string p = dir.path() + "/" + name + ".toml";
    Spit(p, text);
    return p;
  };
  std::vector<std::vector<std::string>> cases = {
      {"frobnicate"},
      {"backup", "files", "--no-such-flag"},
      {"backup", "files", "--source", src, "--dest", d, "--workers", "0"},
      {"backup", "files", "--source", src, "--dest", d, "--workers", "many"},
      {"backup", "files", "--source", src, "--dest", d, "--max-change", "abc"},
      {"backup", "files", "--source", src, "--dest", d, "--max-change", "150"},
      {"backup", "files", "--source", src, "--dest", "ftp://host/x"},
      {"backup", "db", "--db", "dbname=x", "--table", "t", "--dest", d, "--compress", "lz4"},
      {"backup", "db", "--db", "dbname=x", "--table", "t", "--dest", d, "--chunk-size", "-5"},
      {"backup", "db", "--db", "dbname=x", "--table", "t", "--dest", d, "--chunk-bytes", "12XB"},
      {"restore", "files", "--dest", d},
      {"restore", "files", "--dest", d, "--target", dir.path() + "/t", "--as-of", "yesterday"},
      {"restore", "db", "--dest", d, "--db", "dbname=x", "--replace", "--merge"},
      {"restore", "db", "--dest", d, "--db", "dbname=x", "--ids", "5-x"},
      // Config values (read by the commands that resolve the config file; see the report).
      {"--config", cfg("unknown", "[files]\nsourc = \"/x\"\n"), "status"},
      {"--config", cfg("type", "[files]\nworkers = \"eight\"\n"), "status"},
      {"--config", cfg("range", "[files]\nworkers = 0\n"), "status"},
      {"--config", cfg("change", "[files]\nmax_change = \"150%\"\n"), "status"},
      {"--config", cfg("syntax", "[files\nworkers = 1\n"), "status"},
      {"--config", dir.path() + "/missing.toml", "status"},
  };
  int ok = 0;
  for (const auto& args : cases) {
    std::string shown;
    for (const auto& a : args) shown += a + " ";
    DredgeRun r = Dredge(args);
    EXPECT_EQ(r.code, 2) << shown << "\n" << r.err;
    std::string err = r.err;
    while (!err.empty() && err.back() == '\n') err.pop_back();
    EXPECT_FALSE(err.empty()) << shown;
    EXPECT_EQ(err.find('\n'), std::string::npos) << shown << ": more than one line:\n" << r.err;
    ok += r.code == 2 && !err.empty() && err.find('\n') == std::string::npos;
  }
  inputs_tried += static_cast<int>(cases.size());
  EXPECT_FALSE(fs::exists(dir.path() + "/store")) << "a usage error wrote to the store";
  Report("hostile flags",
         "inputs=" + std::to_string(cases.size()) + " exit2_one_line=" + std::to_string(ok));
  Report("hostile total", "inputs_tried=" + std::to_string(inputs_tried));
}

}  // namespace
}  // namespace dredge::hardening
