// Precedence flags > DREDGE_* environment > file > defaults, and errors for bad variables.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "config/byte_size.h"
#include "config/config_file.h"

namespace dredge {
namespace {

namespace fs = std::filesystem;

std::string WriteConfig(const std::string& text) {
  std::string tmpl = (fs::temp_directory_path() / "dredge-env-XXXXXX").string();
  std::string dir = ::mkdtemp(tmpl.data());
  std::string path = dir + "/dredge.toml";
  std::ofstream(path) << text;
  return path;
}

const char* kFile = R"(
[files]
source = "/from/file"
workers = 2
[[files.destination]]
url = "s3://file-bucket/files"
[db]
table = "file_table"
[limits]
bwlimit = "1M"
tpslimit = 10
[logging]
keep = 7
)";

TEST(ConfigPrecedence, FlagsBeatEnvironmentBeatFileBeatDefaults) {
  std::string path = WriteConfig(kFile);
  EnvMap env = {{"DREDGE_FILES_WORKERS", "5"},
                {"DREDGE_BWLIMIT", "2M"},
                {"DREDGE_DB_TABLE", "env_table"},
                {"DREDGE_DEST", "file:///env/a, s3://env-b"}};
  ConfigOverrides flags;
  flags.bwlimit = 3u << 20;
  flags.files_source = "/from/flag";

  auto c = ResolveConfig(path, env, flags);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->path, path);
  EXPECT_EQ(c->files.source, "/from/flag");     // flag over file
  EXPECT_EQ(c->files.workers, 5);               // env over file
  EXPECT_EQ(c->limits.bwlimit, 3u << 20);       // flag over env over file
  EXPECT_DOUBLE_EQ(c->limits.tpslimit, 10);     // file only
  EXPECT_EQ(c->db.table, "env_table");          // env over file
  EXPECT_EQ(c->logging.keep, 7);                // file over default
  EXPECT_EQ(c->db.chunk_size, 10000);           // default
  ASSERT_EQ(c->files.destinations.size(), 2u);  // env replaces the file's destinations
  EXPECT_EQ(c->files.destinations[0].url, "file:///env/a");
  EXPECT_EQ(c->files.destinations[1].url, "s3://env-b");
  EXPECT_EQ(c->db.destinations.size(), 2u);

  ConfigOverrides flag_dest;
  DestinationConfig d;
  d.url = "memory://flag";
  flag_dest.files_dest = {d};
  auto f = ResolveConfig(path, env, flag_dest);
  ASSERT_TRUE(f.ok());
  ASSERT_EQ(f->files.destinations.size(), 1u);
  EXPECT_EQ(f->files.destinations[0].url, "memory://flag");
  EXPECT_EQ(f->db.destinations.size(), 2u);  // the env's, untouched by a files-only flag
}

TEST(ConfigPrecedence, ConfigPathFromEnvironment) {
  std::string path = WriteConfig(kFile);
  auto c = ResolveConfig("", {{"DREDGE_CONFIG", path}}, {});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->files.source, "/from/file");
}

TEST(ConfigEnv, EveryDocumentedVariableIsRead) {
  EnvMap env = {{"DREDGE_FILES_SOURCE", "/s"},       {"DREDGE_MAX_CHANGE", "25%"},
                {"DREDGE_DB_CONNINFO", "host=x"},    {"DREDGE_DB_WORKERS", "3"},
                {"DREDGE_DB_CHUNK_SIZE", "77"},      {"DREDGE_DB_CHUNK_BYTES", "1k"},
                {"DREDGE_DB_COMPRESS", "none"},      {"DREDGE_DB_STATEMENT_TIMEOUT", "1m"},
                {"DREDGE_DB_LOCK_TIMEOUT", "500ms"}, {"DREDGE_KEEP_LAST", "1"},
                {"DREDGE_KEEP_DAILY", "2"},          {"DREDGE_KEEP_WEEKLY", "3"},
                {"DREDGE_KEEP_MONTHLY", "4"},        {"DREDGE_LOG_DIR", "/l"},
                {"DREDGE_LOG_FORMAT", "json"},       {"DREDGE_LOG_KEEP", "9"},
                {"DREDGE_TPSLIMIT", "2.5"},          {"DREDGE_NICE", "0"},
                {"DREDGE_FILES_DEST", "file:///f"},  {"DREDGE_DB_DEST", "file:///d"}};
  std::vector<std::string> warnings;
  auto o = OverridesFromEnv(env, &warnings);
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  DredgeConfig c;
  ApplyOverrides(*o, &c);
  EXPECT_TRUE(warnings.empty());
  EXPECT_EQ(c.files.source, "/s");
  EXPECT_DOUBLE_EQ(c.files.max_change, 0.25);
  EXPECT_EQ(c.db.conninfo, "host=x");
  EXPECT_EQ(c.db.workers, 3);
  EXPECT_EQ(c.db.chunk_size, 77);
  EXPECT_EQ(c.db.chunk_bytes, 1024u);
  EXPECT_EQ(c.db.compress, "none");
  EXPECT_EQ(c.db.statement_timeout_ms, 60000);
  EXPECT_EQ(c.db.lock_timeout_ms, 500);
  EXPECT_EQ(c.retention.keep_last, 1);
  EXPECT_EQ(c.retention.keep_daily, 2);
  EXPECT_EQ(c.retention.keep_weekly, 3);
  EXPECT_EQ(c.retention.keep_monthly, 4);
  EXPECT_EQ(c.logging.dir, "/l");
  EXPECT_EQ(c.logging.format, "json");
  EXPECT_EQ(c.logging.keep, 9);
  EXPECT_DOUBLE_EQ(c.limits.tpslimit, 2.5);
  EXPECT_EQ(c.limits.nice, LimitsConfig::Nice::kOff);
  EXPECT_EQ(c.DestinationsFor("files")[0].url, "file:///f");
  EXPECT_EQ(c.DestinationsFor("db")[0].url, "file:///d");
}

TEST(ConfigEnv, BadValuesAreUsageErrorsNamingTheVariable) {
  const std::pair<const char*, const char*> bad[] = {
      {"DREDGE_FILES_WORKERS", "many"}, {"DREDGE_FILES_WORKERS", "0"},
      {"DREDGE_BWLIMIT", "fast"},       {"DREDGE_MAX_CHANGE", "150%"},
      {"DREDGE_LOG_FORMAT", "xml"},     {"DREDGE_DB_LOCK_TIMEOUT", "soon"},
      {"DREDGE_NICE", "maybe"},         {"DREDGE_TPSLIMIT", "-1"},
  };
  for (const auto& [name, value] : bad) {
    auto o = OverridesFromEnv({{name, value}}, nullptr);
    ASSERT_FALSE(o.ok()) << name << "=" << value;
    EXPECT_EQ(o.status().kind(), ErrorKind::kUsage);
    EXPECT_NE(o.status().message().find(name), std::string::npos) << o.status().message();
  }
}

TEST(ConfigEnv, UnknownDredgeVariablesWarnOthersAreIgnored) {
  std::vector<std::string> warnings;
  auto o = OverridesFromEnv({{"DREDGE_BWLIMT", "1M"},
                             {"PATH", "/bin"},
                             {"DREDGE_TEST_ENV_DIR", "/t"},
                             {"DREDGE_BIN", "/b"}},
                            &warnings);
  ASSERT_TRUE(o.ok());
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("DREDGE_BWLIMT"), std::string::npos);
}

TEST(ByteSize, ParsesRatesLikeRclone) {
  EXPECT_EQ(*ParseByteRate("20M", "x"), 20u << 20);
  EXPECT_EQ(*ParseByteRate("512k", "x"), 512u << 10);
  EXPECT_EQ(*ParseByteRate("1.5G", "x"), 3ull << 29);
  EXPECT_EQ(*ParseByteRate("100", "x"), 100u);
  EXPECT_EQ(*ParseByteRate("20MiB/s", "x"), 20u << 20);
  EXPECT_EQ(*ParseByteRate("off", "x"), 0u);
  EXPECT_EQ(*ParseByteRate("0", "x"), 0u);
  for (const char* bad : {"M", "-1M", "20X", "1..2k", "k20"}) {
    auto r = ParseByteRate(bad, "--bwlimit");
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().kind(), ErrorKind::kUsage);
    EXPECT_NE(r.status().message().find("--bwlimit"), std::string::npos);
  }
  EXPECT_EQ(FormatBytes(512), "512 B");
  EXPECT_EQ(FormatBytes(20u << 20), "20.0 MiB");
}

}  // namespace
}  // namespace dredge
