// dredge.toml loading: typed values, defaults, strict errors naming file, line and key, the
// search order, and the warning for a readable file holding a password.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "commands/upload_flags.h"
#include "config/config_file.h"
#include "store/registry.h"
#include "support/test_env.h"

namespace dredge {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "dredge-config-XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data());
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string Write(const std::string& name, const std::string& text, mode_t mode = 0600) {
    fs::path p = fs::path(path_) / name;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
    ::chmod(p.c_str(), mode);
    return p.string();
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(ConfigFile, ParsesEveryTable) {
  auto c = ParseConfigText(R"(
[files]
source = "/data/raw"
include = ["*.txt"]
exclude = "*.tmp"
workers = 3
max_change = "30%"
[[files.destination]]
url = "s3://b/files"
endpoint = "http://127.0.0.1:9000"
region = "eu-west-1"
profile = "backup"
sse = "AES256"
storage_class = "STANDARD_IA"
[[files.destination]]
url = "file:///mnt/x"
[db]
conninfo = "host=127.0.0.1 dbname=sd"
table = "articles"
chunk_size = 500
chunk_bytes = "8M"
workers = 2
compress = false
statement_timeout = "30s"
lock_timeout = 250
[[db.destination]]
url = "s3://b/db"
[retention]
keep_last = 3
keep_daily = 7
keep_weekly = 4
keep_monthly = 12
[logging]
dir = "/var/log/dredge"
format = "json"
keep = 5
[limits]
bwlimit = "20M"
tpslimit = 50
nice = false
)",
                           "t.toml");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_TRUE(c->files.configured);
  EXPECT_EQ(c->files.source, "/data/raw");
  EXPECT_EQ(c->files.include, std::vector<std::string>{"*.txt"});
  EXPECT_EQ(c->files.exclude, std::vector<std::string>{"*.tmp"});
  EXPECT_EQ(c->files.workers, 3);
  EXPECT_DOUBLE_EQ(c->files.max_change, 0.3);
  ASSERT_EQ(c->files.destinations.size(), 2u);
  EXPECT_EQ(c->files.destinations[0].url, "s3://b/files");
  EXPECT_EQ(c->files.destinations[0].store.endpoint_url, "http://127.0.0.1:9000");
  EXPECT_EQ(c->files.destinations[0].store.region, "eu-west-1");
  EXPECT_EQ(c->files.destinations[0].store.profile, "backup");
  EXPECT_EQ(c->files.destinations[0].store.sse, "AES256");
  EXPECT_EQ(c->files.destinations[0].store.storage_class, "STANDARD_IA");
  EXPECT_EQ(ToStoreOptions(c->files.destinations[0]).endpoint_url, "http://127.0.0.1:9000");
  EXPECT_EQ(c->files.destinations[1].url, "file:///mnt/x");
  EXPECT_EQ(c->db.conninfo, "host=127.0.0.1 dbname=sd");
  EXPECT_EQ(c->db.chunk_size, 500);
  EXPECT_EQ(c->db.chunk_bytes, 8u << 20);
  EXPECT_EQ(c->db.workers, 2);
  EXPECT_EQ(c->db.compress, "none");
  EXPECT_EQ(c->db.statement_timeout_ms, 30000);
  EXPECT_EQ(c->db.lock_timeout_ms, 250);
  ASSERT_EQ(c->db.destinations.size(), 1u);
  EXPECT_EQ(c->retention.keep_last, 3);
  EXPECT_EQ(c->retention.keep_daily, 7);
  EXPECT_EQ(c->retention.keep_weekly, 4);
  EXPECT_EQ(c->retention.keep_monthly, 12);
  EXPECT_EQ(c->logging.dir, "/var/log/dredge");
  EXPECT_EQ(c->logging.format, "json");
  EXPECT_EQ(c->logging.keep, 5);
  EXPECT_EQ(c->limits.bwlimit, 20u << 20);
  EXPECT_DOUBLE_EQ(c->limits.tpslimit, 50);
  EXPECT_EQ(c->limits.nice, LimitsConfig::Nice::kOff);
  EXPECT_EQ(c->AllDestinations().size(), 3u);
}

TEST(ConfigFile, EmptyFileGivesDefaultsAndTheEmbeddedDestination) {
  auto c = ParseConfigText("", "t.toml");
  ASSERT_TRUE(c.ok());
  EXPECT_FALSE(c->files.configured);
  EXPECT_EQ(c->db.table, "articles");
  EXPECT_EQ(c->logging.dir, "");  // ResolveConfig fills in DefaultLogDir
  EXPECT_EQ(c->limits.nice, LimitsConfig::Nice::kAuto);
  ASSERT_EQ(c->DestinationsFor("files").size(), 1u);
  EXPECT_EQ(c->DestinationsFor("files")[0].url, "file://./dredge-backups/");
  EXPECT_EQ(c->DestinationsFor("db")[0].url, "file://./dredge-backups/");
  EXPECT_EQ(c->AllDestinations().size(), 1u);
}

// Each bad file must fail with Usage and a message naming the file, the line and the key.
struct BadCase {
  const char* text;
  const char* expect_in_message[3];
};

TEST(ConfigFile, AbortIncompleteAfterIsPerDestinationAndTheFlagWins) {
  auto c = ParseConfigText(
      "[[files.destination]]\nurl = \"s3://b/p\"\nabort_incomplete_after = \"2d\"\n\n"
      "[[files.destination]]\nurl = \"s3://b/q\"\n\n"
      "[[db.destination]]\nurl = \"s3://b/d\"\nabort_incomplete_after = \"0s\"\n",
      "t.toml");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  const auto& files = c->files.destinations;
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(AbortIncompleteAfter("", files[0]), std::chrono::hours(48));
  EXPECT_EQ(AbortIncompleteAfter("", files[1]), std::chrono::hours(24)) << "the default";
  EXPECT_EQ(AbortIncompleteAfter("90s", files[0]), std::chrono::seconds(90)) << "the flag wins";
  EXPECT_EQ(AbortIncompleteAfter("", c->db.destinations.at(0)), std::chrono::seconds(0));
}

TEST(ConfigFile, ErrorsNameFileLineAndKey) {
  const BadCase cases[] = {
      {"[files]\nsource = \"/x\"\nwokers = 4\n", {"t.toml line 3", "wokers", "[files]"}},
      {"[files]\nworkers = \"four\"\n", {"t.toml line 2", "files.workers", "an integer"}},
      {"[db]\n\nchunk_size = 0\n", {"line 3", "db.chunk_size", "from 1"}},
      {"[logging]\nformat = \"xml\"\n", {"line 2", "logging.format", "\"json\""}},
      {"[limits]\nbwlimit = \"20Q\"\n", {"line 2", "limits.bwlimit", "20Q"}},
      {"[[files.destination]]\nurl = \"s3://b\"\nsse = \"rot13\"\n",
       {"line 3", "files.destination[1].sse", "AES256"}},
      {"[[db.destination]]\nregion = \"x\"\n", {"t.toml", "db.destination", "no url"}},
      {"[retention]\nkeep_last = -1\n", {"line 2", "retention.keep_last", "-1"}},
      // A key of another driver would be ignored: refused, naming the drivers that take it.
      {"[[files.destination]]\nurl = \"file:///x\"\nregion = \"eu-west-1\"\n",
       {"line 3", "files.destination[1].region", "an option of s3:// destinations"}},
      {"[[db.destination]]\nurl = \"/var/backups\"\npath_style = true\n",
       {"line 3", "db.destination[1].path_style", "/var/backups does not use it"}},
      {"colour = \"blue\"\n", {"line 1", "colour", "top level"}},
      {"[db]\naws_secret_access_key = \"x\"\n",
       {"line 2", "aws_secret_access_key", "never read from dredge.toml"}},
      {"[files]\nsource = \n", {"t.toml line 2", "not valid TOML", ""}},
      {"files = 3\n", {"line 1", "files", "a table"}},
      {"[[files.destination]]\nurl = \"s3://b\"\nabort_incomplete_after = \"soon\"\n",
       {"line 3", "files.destination[1].abort_incomplete_after", "soon"}},
      {"[db]\ntable = \"a\"\ntables = [\"b\"]\n", {"t.toml", "both table and tables", ""}},
      {"[db]\ntables = \"articles\"\n", {"t.toml", "tables must be a list", "\"*\""}},
      {"[db]\nschemas = [\"x\"]\n", {"t.toml", "schemas and exclude_tables", "\"*\""}},
  };
  for (const auto& bad : cases) {
    auto c = ParseConfigText(bad.text, "t.toml");
    ASSERT_FALSE(c.ok()) << bad.text;
    EXPECT_EQ(c.status().kind(), ErrorKind::kUsage) << bad.text;
    for (const char* want : bad.expect_in_message)
      EXPECT_NE(c.status().message().find(want), std::string::npos)
          << "missing '" << want << "' in: " << c.status().message();
  }
}

// The config reader knows each scheme's keys without the drivers (the config fuzz build links
// none): its table must name the rows the registry gives each driver.
TEST(ConfigFile, EachSchemesKeysAreTheRegistrysDriverOptions) {
  for (const DriverSpec& d : Drivers()) {
    auto rows = OptionsOfScheme(d.scheme);
    EXPECT_EQ(rows.data(), d.options.data()) << d.scheme;
    EXPECT_EQ(rows.size(), d.options.size()) << d.scheme;
    EXPECT_EQ(OptionsOfUrl(std::string(d.scheme) + "://x").size(), d.options.size()) << d.scheme;
  }
  EXPECT_TRUE(OptionsOfUrl("/plain/path").empty());  // file://
}

// [db] tables: a list of names, or "*" with schemas and exclude_tables (docs/db-tier.md).
TEST(ConfigFile, DbTablesListOrEverythingOfSchemas) {
  auto list = ParseConfigText("[db]\ntables = [\"articles\", \"publications\"]\n", "t.toml");
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  EXPECT_EQ(list->db.tables, (std::vector<std::string>{"articles", "publications"}));
  EXPECT_FALSE(list->db.all_tables);
  auto all = ParseConfigText(
      "[db]\ntables = \"*\"\nschemas = [\"public\", \"archive\"]\nexclude_tables = "
      "[\"tmp_*\"]\n",
      "t.toml");
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_TRUE(all->db.all_tables);
  EXPECT_EQ(all->db.schemas, (std::vector<std::string>{"public", "archive"}));
  EXPECT_EQ(all->db.exclude_tables, (std::vector<std::string>{"tmp_*"}));
}

TEST(ConfigFile, SearchOrderFlagThenEnvThenCwdThenUserDir) {
  TempDir dir;
  std::string flag = dir.Write("flag.toml", "");
  std::string env_file = dir.Write("env.toml", "");
  std::string cwd_file = dir.Write("cwd/dredge.toml", "");
  std::string user_file = dir.Write("home/.config/dredge/dredge.toml", "");
  EnvMap env = {{"DREDGE_CONFIG", env_file}, {"HOME", dir.path() + "/home"}};
  std::string cwd = dir.path() + "/cwd";
  EXPECT_EQ(*FindConfigFile(flag, env, cwd), flag);
  EXPECT_EQ(*FindConfigFile("", env, cwd), env_file);
  env.erase("DREDGE_CONFIG");
  EXPECT_EQ(*FindConfigFile("", env, cwd), cwd_file);
  EXPECT_EQ(*FindConfigFile("", env, dir.path()), user_file);
  env["XDG_CONFIG_HOME"] = dir.path() + "/nowhere";
  EXPECT_EQ(*FindConfigFile("", env, dir.path()), "");

  auto missing = FindConfigFile(dir.path() + "/nope.toml", env, cwd);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().kind(), ErrorKind::kUsage);
  EXPECT_NE(missing.status().message().find("nope.toml"), std::string::npos);
  EXPECT_NE(missing.status().message().find("--config"), std::string::npos);
  auto missing_env = FindConfigFile("", {{"DREDGE_CONFIG", dir.path() + "/gone.toml"}}, cwd);
  ASSERT_FALSE(missing_env.ok());
  EXPECT_NE(missing_env.status().message().find("DREDGE_CONFIG"), std::string::npos);
}

TEST(ConfigFile, WarnsWhenAReadableFileHoldsAPassword) {
  TempDir dir;
  const std::string text = "[db]\nconninfo = \"host=h user=u password=hunter2secret\"\n";
  std::string open_file = dir.Write("open.toml", text, 0644);
  auto c = LoadConfigFile(open_file);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_EQ(c->warnings.size(), 1u);
  EXPECT_NE(c->warnings[0].find("chmod 600"), std::string::npos);
  EXPECT_EQ(c->warnings[0].find("hunter2secret"), std::string::npos) << "warning leaks the secret";

  std::string private_file = dir.Write("private.toml", text, 0600);
  auto p = LoadConfigFile(private_file);
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->warnings.empty());

  std::string no_secret = dir.Write("nosecret.toml", "[db]\nconninfo = \"host=h\"\n", 0644);
  auto n = LoadConfigFile(no_secret);
  ASSERT_TRUE(n.ok());
  EXPECT_TRUE(n->warnings.empty());

  std::string uri =
      dir.Write("uri.toml", "[db]\nconninfo = \"postgresql://u:pw12345@h/db\"\n", 0640);
  auto u = LoadConfigFile(uri);
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->warnings.size(), 1u);
}

TEST(ConfigFile, TheAnnotatedExampleLoads) {
  std::string root = testing::SourceDir();
  ASSERT_FALSE(root.empty()) << "run through ctest (no paths.env)";
  auto c = LoadConfigFile(root + "/dredge.example.toml");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->files.destinations.size(), 2u);
  EXPECT_EQ(c->db.destinations.size(), 1u);
  // The example shows the defaults (tests/cli/defaults_agree_test.cpp checks every key).
  EXPECT_EQ(c->db.lock_timeout_ms, DredgeConfig{}.db.lock_timeout_ms);
  EXPECT_EQ(c->retention.keep_monthly, DredgeConfig{}.retention.keep_monthly);
}

}  // namespace
}  // namespace dredge
