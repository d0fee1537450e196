// One truth for every default (issue 13): dredge.example.toml is exactly what the options table
// renders and parses back to the defaults a run uses; no --help text, README or docs page states
// a default that differs from the one the code uses.
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "config/config_file.h"
#include "config/env_overrides.h"
#include "config/option_table.h"
#include "support/process.h"
#include "support/test_env.h"

namespace dredge::testing {
namespace {

namespace fs = std::filesystem;

std::string ReadText(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// "`64M`", "\"5s\"", "1,000" → "64M", "5s", "1000"; a trailing "%" stays.
std::string Normalise(std::string v) {
  std::string out;
  for (char c : v)
    if (c != '`' && c != '"' && c != ',' && c != '\'') out += c;
  while (!out.empty() && (out.back() == '.' || out.back() == ':')) out.pop_back();
  return out;
}

// Every option of the dumped CLI: flag → the defaults it has across commands (a flag such as
// --workers exists on several commands with different defaults), and the descriptions.
struct CliOption {
  std::string command, flag, description, captured;
};

void Walk(const nlohmann::json& app, const std::string& path, std::vector<CliOption>* out) {
  for (const auto& o : app["options"])
    for (const auto& name : o["long"])
      out->push_back({path, name.get<std::string>(), o["description"].get<std::string>(),
                      o["default"].get<std::string>()});
  for (const auto& sub : app["subcommands"])
    Walk(
        sub,
        path.empty() ? sub["name"].get<std::string>() : path + " " + sub["name"].get<std::string>(),
        out);
}

std::vector<CliOption> DumpedOptions() {
  auto r = RunProcess({DredgeBin(), "--dump-cli-json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::vector<CliOption> out;
  Walk(nlohmann::json::parse(r.out), "", &out);
  return out;
}

// The defaults a flag or config key has anywhere: the table's, and CLI11's captured ones.
std::map<std::string, std::set<std::string>> KnownDefaults(const std::vector<CliOption>& cli) {
  std::map<std::string, std::set<std::string>> known;
  for (const auto& o : Options()) {
    std::string d = Normalise(DefaultText(o));
    if (d.empty()) continue;
    known[KeyOf(o)].insert(d);
    if (*o.flag) known[o.flag].insert(d);
  }
  for (const auto& d : DestinationKeys()) {
    if (!*d.def) continue;
    known[d.key].insert(d.def);
    known[d.flag].insert(d.def);
  }
  for (const auto& o : cli)
    if (!o.captured.empty()) known[o.flag].insert(Normalise(o.captured));
  return known;
}

// A default value as prose states it: a number, size or duration right after "default".
const std::regex kStatedDefault(R"(default(?: is|:)? +[`"]?([0-9][0-9,.]*[A-Za-z%]*)[`"]?)");

TEST(DefaultsAgree, ExampleFileIsTheRenderedTable) {
  std::string file = ReadText(fs::path(SourceDir()) / "dredge.example.toml");
  EXPECT_EQ(file, RenderExampleToml())
      << "dredge.example.toml differs from the options table: run scripts/gen_config_example.sh";
}

TEST(DefaultsAgree, ExampleFileParsesToTheDefaultsARunUses) {
  std::string text = ReadText(fs::path(SourceDir()) / "dredge.example.toml");
  auto parsed = ParseConfigText(text, "dredge.example.toml");
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  for (const auto& o : Options()) EXPECT_EQ(o.show(*parsed), DefaultText(o)) << o.key;
  EXPECT_EQ(parsed->files.destinations.size(), 2u);
  EXPECT_EQ(parsed->db.destinations.size(), 1u);
}

TEST(DefaultsAgree, ChangedDefaultShowsInTheExampleAndTheHelp) {
  // The table renders the value it is given, so the default shown is the initialiser's.
  const OptionSpec* workers = FindOption("files.workers");
  ASSERT_NE(workers, nullptr);
  DredgeConfig c;
  c.files.workers = 3;
  EXPECT_EQ(workers->show(c), "3");
  EXPECT_EQ(DefaultText(*workers), std::to_string(DredgeConfig{}.files.workers));
  EXPECT_NE(RenderExampleToml().find("\nworkers = " + DefaultText(*workers) + "\n"),
            std::string::npos);
}

TEST(DefaultsAgree, EveryTableVariableIsAcceptedByTheEnvironmentLayer) {
  for (const auto& o : Options()) {
    if (!*o.env) continue;
    std::vector<std::string> warnings;
    std::string value = DefaultText(o);
    if (value.size() >= 2 && value.front() == '"') value = value.substr(1, value.size() - 2);
    if (value.empty() || value == "[]") value = "x";
    if (std::string(o.key) == "limits.nice") value = "1";
    (void)OverridesFromEnv({{o.env, value}}, &warnings);
    EXPECT_TRUE(warnings.empty()) << o.env << " is in the table but unknown to the environment";
  }
}

TEST(DefaultsAgree, HelpStatesOnlyDefaultsTheCodeUses) {
  auto cli = DumpedOptions();
  ASSERT_FALSE(cli.empty());
  auto known = KnownDefaults(cli);
  size_t checked = 0;
  for (const auto& o : cli) {
    std::smatch m;
    std::string d = o.description;
    for (auto it = std::sregex_iterator(d.begin(), d.end(), kStatedDefault);
         it != std::sregex_iterator(); ++it) {
      std::string stated = Normalise((*it)[1].str());
      ++checked;
      EXPECT_TRUE(known[o.flag].count(stated))
          << "dredge " << o.command << " " << o.flag << " --help states default " << stated
          << ", which is not the default the code uses";
    }
  }
  EXPECT_GT(checked, 5u);  // the scan found the defaults it is meant to check
}

TEST(DefaultsAgree, ReadmeAndDocsStateOnlyDefaultsTheCodeUses) {
  auto known = KnownDefaults(DumpedOptions());
  std::vector<fs::path> pages = {fs::path(SourceDir()) / "README.md"};
  for (const auto& e : fs::directory_iterator(fs::path(SourceDir()) / "docs"))
    if (e.path().extension() == ".md") pages.push_back(e.path());
  // "`--sample N` files, default 20": the nearest backticked flag or key before the default.
  const std::regex named(R"(`(--[a-z-]+|[a-z_]+)[^`]*`)");
  size_t checked = 0;
  for (const auto& page : pages) {
    std::istringstream lines(ReadText(page));
    std::string line;
    for (int n = 1; std::getline(lines, line); ++n) {
      for (auto it = std::sregex_iterator(line.begin(), line.end(), kStatedDefault);
           it != std::sregex_iterator(); ++it) {
        std::string before = line.substr(0, it->position());
        std::string name;
        for (auto k = std::sregex_iterator(before.begin(), before.end(), named);
             k != std::sregex_iterator(); ++k)
          name = (*k)[1].str();
        if (name.empty() || !known.count(name)) continue;  // not about an option
        std::string stated = Normalise((*it)[1].str());
        ++checked;
        EXPECT_TRUE(known[name].count(stated))
            << page.filename().string() << " line " << n << " says " << name << " defaults to "
            << stated << "; the code uses " << *known[name].begin();
      }
    }
  }
  EXPECT_GT(checked, 2u);
}

}  // namespace
}  // namespace dredge::testing
