// Every option in the one table (issue 13, #16 step 4): flag-only options, the store drivers'
// options and the destination keys come from their rows, so their flags, --help defaults,
// dredge.toml parsing, DREDGE_* variables and dredge.example.toml cannot disagree. Each test
// names the place that would state a different truth if a row and the code parted ways.
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "common/time_util.h"
#include "config/config_file.h"
#include "config/env_overrides.h"
#include "config/option_table.h"
#include "ops/upload_cleanup.h"
#include "store/registry.h"
#include "support/process.h"
#include "support/test_env.h"

namespace dredge::testing {
namespace {

namespace fs = std::filesystem;

struct Dumped {
  std::string description, captured;
};
// "restore files --workers" → its description and CLI11's captured default.
using DumpedOptions = std::map<std::string, Dumped>;

void Walk(const nlohmann::json& app, const std::string& path, DumpedOptions* out,
          std::vector<std::string>* commands) {
  commands->push_back(path);
  for (const auto& o : app["options"])
    for (const auto& name : o["long"])
      (*out)[path + " " + name.get<std::string>()] = {o["description"], o["default"]};
  for (const auto& sub : app["subcommands"]) {
    std::string name = sub["name"];
    Walk(sub, path.empty() ? name : path + " " + name, out, commands);
  }
}

class OptionRows : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto r = RunProcess({DredgeBin(), "--dump-cli-json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    options_ = new DumpedOptions;
    commands_ = new std::vector<std::string>;
    Walk(nlohmann::json::parse(r.out), "", options_, commands_);
  }
  static void TearDownTestSuite() {
    delete options_;
    delete commands_;
  }
  static const Dumped* Find(const std::string& command, const std::string& flag) {
    auto it = options_->find(command + " " + flag);
    return it == options_->end() ? nullptr : &it->second;
  }
  static DumpedOptions* options_;
  static std::vector<std::string>* commands_;
};
DumpedOptions* OptionRows::options_ = nullptr;
std::vector<std::string>* OptionRows::commands_ = nullptr;

// A flag-only row is the flag's default: the variable gets it (CLI11 captures it) and --help
// states it; the row is nowhere in dredge.toml.
TEST_F(OptionRows, FlagOnlyRowsAreTheFlagsDefaults) {
  size_t rows = 0;
  for (const auto& o : Options()) {
    if (InConfigFile(o)) continue;
    ++rows;
    const Dumped* d = Find(SectionOf(o), o.flag);
    ASSERT_NE(d, nullptr) << "row " << o.key << ": dredge " << SectionOf(o) << " has no " << o.flag;
    EXPECT_EQ(d->captured, DefaultText(o)) << "dredge " << SectionOf(o) << " " << o.flag;
    if (!DefaultText(o).empty()) {
      EXPECT_NE(d->description.find("(default: " + DefaultText(o) + ")"), std::string::npos)
          << d->description;
    }
    EXPECT_EQ(RenderExampleToml().find(std::string(o.help)), std::string::npos) << o.key;
  }
  EXPECT_GE(rows, 8u);  // restore (3), verify (2), prune, drill (5)
}

// Where a flag both captures a default and states one, they are the same: `restore --workers`
// cannot say 8 while it uses 16.
TEST_F(OptionRows, EveryStatedDefaultIsThatFlagsOwn) {
  size_t checked = 0;
  for (const auto& [name, d] : *options_) {
    auto at = d.description.find("(default: ");
    if (d.captured.empty() || at == std::string::npos) continue;
    std::string stated = d.description.substr(at + 10);
    stated = stated.substr(0, stated.find_first_of(";)"));
    ++checked;
    EXPECT_EQ(stated, d.captured) << "dredge " << name << ": " << d.description;
  }
  EXPECT_GE(checked, 8u);
}

// Every command that opens a destination takes every driver option and destination key as a
// flag, whose help names the dredge.toml key.
TEST_F(OptionRows, EveryDriverOptionIsAFlagWhereverADestinationIsOpened) {
  size_t commands = 0;
  for (const auto& command : *commands_) {
    if (!Find(command, "--dest")) continue;
    if (!Find(command, "--endpoint-url")) continue;  // --dest of a command that opens no store
    ++commands;
    for (const StoreOptionSpec* o : AllStoreOptions()) {
      const Dumped* d = Find(command, o->flag);
      ASSERT_NE(d, nullptr) << "dredge " << command << " lacks " << o->flag;
      EXPECT_NE(d->description.find(std::string("destination key ") + o->key), std::string::npos)
          << d->description;
    }
    for (const char* key : {"object_lock.mode", "object_lock.retain"}) {
      const Dumped* d = Find(command, DestinationKey(key).flag);
      ASSERT_NE(d, nullptr) << "dredge " << command << " lacks " << DestinationKey(key).flag;
      EXPECT_EQ(d->description, DestinationFlagHelp(DestinationKey(key)));
    }
  }
  EXPECT_GE(commands, 10u);
}

// Each driver option's example value, written under its key in a destination entry, arrives in
// the field the driver reads; the example file shows every key.
TEST_F(OptionRows, EveryDriverOptionIsReadFromADestinationEntry) {
  std::string example = RenderExampleToml();
  for (const StoreOptionSpec* o : AllStoreOptions()) {
    std::string text = std::string("[[files.destination]]\nurl = \"s3://b/p\"\n") + o->key + " = " +
                       o->example + "\n";
    auto c = ParseConfigText(text, "t.toml");
    ASSERT_TRUE(c.ok()) << o->key << ": " << c.status().message();
    StoreOptions s = ToStoreOptions(c->files.destinations.at(0));
    std::string want = o->example;
    if (o->on) {
      EXPECT_EQ(s.*o->on, want == "true") << o->key;
    } else {
      EXPECT_EQ("\"" + s.*o->text + "\"", want) << o->key;
    }
    EXPECT_NE(example.find(std::string("\n# ") + o->key + " = " + o->example + "\n"),
              std::string::npos)
        << o->key << " is not shown in dredge.example.toml";
  }
  for (const auto& d : DestinationKeys())
    EXPECT_NE(example.find(std::string("\n# ") + d.key + " = " + d.example + "\n"),
              std::string::npos)
        << d.key;
}

TEST_F(OptionRows, AChoiceOutsideTheRowIsRefusedNamingTheKey) {
  auto c = ParseConfigText("[[db.destination]]\nurl = \"s3://b\"\nsse = \"rot13\"\n", "t.toml");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().kind(), ErrorKind::kUsage);
  EXPECT_NE(c.status().message().find("sse is \"rot13\": use one of \"AES256\", \"aws:kms\""),
            std::string::npos)
      << c.status().message();
}

TEST_F(OptionRows, AbortIncompleteDefaultIsTheOneCleanupUses) {
  const DestinationKeySpec& row = DestinationKey("abort_incomplete_after");
  auto d = ParseDuration(row.def);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*d, kDefaultAbortIncompleteAfter.count());
  EXPECT_NE(DestinationFlagHelp(row).find(std::string("default: ") + row.def), std::string::npos);
}

// A variable is read by its row's reader: it takes what the key takes, and its value is the one
// the same text in dredge.toml gives.
TEST_F(OptionRows, EveryVariableReadsLikeItsKey) {
  const std::map<std::string, std::string> samples = {
      {"DREDGE_FILES_WORKERS", "12"},  {"DREDGE_MAX_CHANGE", "30%"},
      {"DREDGE_DB_CHUNK_BYTES", "2M"}, {"DREDGE_DB_LOCK_TIMEOUT", "750ms"},
      {"DREDGE_BWLIMIT", "20M"},       {"DREDGE_TPSLIMIT", "2.5"},
      {"DREDGE_DB_COMPRESS", "zstd"},  {"DREDGE_ENCRYPT_KEY_FILE", "/k"}};
  for (const auto& [env, value] : samples) {
    const OptionSpec* o = FindOptionByEnv(env);
    ASSERT_NE(o, nullptr) << env;
    auto from_env = OverridesFromEnv({{env, value}}, nullptr);
    ASSERT_TRUE(from_env.ok()) << env << ": " << from_env.status().message();
    DredgeConfig by_env;
    ApplyOverrides(*from_env, &by_env);
    const bool literal = value.find_first_not_of("0123456789.") == std::string::npos;
    std::string toml = "[" + SectionOf(*o) + "]\n" + KeyOf(*o) + " = " +
                       (literal ? value : "\"" + value + "\"") + "\n";
    auto by_file = ParseConfigText(toml, "t.toml");
    ASSERT_TRUE(by_file.ok()) << toml << by_file.status().message();
    EXPECT_EQ(o->show(by_env), o->show(*by_file)) << env;
    EXPECT_NE(o->show(by_env), DefaultText(*o)) << env << " changed nothing";
  }
  auto bad = OverridesFromEnv({{"DREDGE_DB_WORKERS", "lots"}}, nullptr);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(),
            "environment variable DREDGE_DB_WORKERS='lots' is not valid for [db] workers "
            "(integer 1..1024): fix or unset it");
}

// docs/operations.md lists every variable of the table.
TEST_F(OptionRows, OperationsDocNamesEveryVariable) {
  std::ifstream in(fs::path(SourceDir()) / "docs" / "operations.md");
  std::stringstream doc;
  doc << in.rdbuf();
  for (const auto& o : Options()) {
    if (!*o.env) continue;
    EXPECT_NE(doc.str().find(std::string("`") + o.env + "`"), std::string::npos) << o.env;
  }
}

}  // namespace
}  // namespace dredge::testing
