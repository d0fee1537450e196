// Every `dredge …` command line in README.md and docs/*.md names commands and flags that exist
// (issue 13): each is parsed against the real command table (`dredge --dump-cli-json`), so an
// example cannot name a command or a flag the code does not have. A line that shows a mistake on
// purpose (the did-you-mean examples) carries the marker `mistyped` on the same line.
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/process.h"
#include "support/test_env.h"

namespace dredge::testing {
namespace {

namespace fs = std::filesystem;

struct Example {
  std::string page;
  int line;
  std::string text;  // from "dredge" on
};

std::vector<std::string> Words(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

// The command lines of one page: lines of fenced blocks and inline code spans that start with
// "dredge " (after an optional "$ " prompt or a cron schedule), and code spans of that form.
std::vector<Example> ExamplesOf(const fs::path& page) {
  std::ifstream in(page);
  std::vector<Example> out;
  bool fenced = false;
  std::string line, pending;
  for (int n = 1; std::getline(in, line); ++n) {
    if (line.rfind("```", 0) == 0) {
      fenced = !fenced;
      continue;
    }
    if (line.find("mistyped") != std::string::npos) continue;
    if (fenced) {
      std::string cmd = pending + line;
      pending.clear();
      if (!cmd.empty() && cmd.back() == '\\') {  // continued on the next line
        pending = cmd.substr(0, cmd.size() - 1) + " ";
        continue;
      }
      for (size_t at = cmd.find("dredge "); at != std::string::npos;
           at = cmd.find("dredge ", at + 1)) {
        bool starts = at == 0 || cmd[at - 1] == ' ' || cmd[at - 1] == '(';
        std::string head = cmd.substr(0, at);
        bool command_position = head.find_first_not_of(" $") == std::string::npos ||
                                head.find("* ") != std::string::npos ||  // crontab
                                head.find("&& ") != std::string::npos ||
                                head.find("; ") != std::string::npos ||
                                head.find("| ") != std::string::npos;
        if (starts && command_position)
          out.push_back({page.filename().string(), n, cmd.substr(at)});
      }
      continue;
    }
    for (size_t at = line.find("`dredge "); at != std::string::npos;
         at = line.find("`dredge ", at + 1)) {
      size_t end = line.find('`', at + 1);
      if (end != std::string::npos)
        out.push_back({page.filename().string(), n, line.substr(at + 1, end - at - 1)});
    }
  }
  return out;
}

const nlohmann::json* Sub(const nlohmann::json& app, const std::string& name) {
  for (const auto& s : app["subcommands"])
    if (s["name"] == name) return &s;
  return nullptr;
}

bool HasFlag(const std::vector<const nlohmann::json*>& chain, const std::string& flag) {
  // The hidden flags (for the generators) are not in the dump.
  for (const char* always :
       {"--help", "-h", "--version", "--dump-cli-json", "--dump-config-example"})
    if (flag == always) return true;
  for (const auto* app : chain)
    for (const auto& o : (*app)["options"])
      for (const char* kind : {"long", "short"})
        for (const auto& n : o[kind])
          if (n == flag) return true;
  return false;
}

// "" when `words` (starting with "dredge") parse, else what is wrong.
std::string Check(const nlohmann::json& root, const std::vector<std::string>& words) {
  std::vector<const nlohmann::json*> chain = {&root};
  bool positional_seen = false;
  for (size_t i = 1; i < words.size(); ++i) {
    std::string w = words[i];
    if (w == "|" || w == ";" || w == "&&" || w == "||" || w[0] == '>' || w[0] == '#' ||
        w.rfind("2>", 0) == 0)
      break;
    while (!w.empty() && (w.front() == '[' || w.front() == '(')) w.erase(w.begin());
    while (!w.empty() && (w.back() == ']' || w.back() == ')' || w.back() == ',')) w.pop_back();
    if (w.empty() || w.find_first_of("*…<|") != std::string::npos || w == "...") continue;
    if (w.find_first_of("abcdefghijklmnopqrstuvwxyz") == std::string::npos) continue;  // COMMAND
    if (w[0] == '-' && w.size() > 1 && w != "-") {
      std::string flag = w.substr(0, w.find('='));
      if (!HasFlag(chain, flag))
        return "no flag " + flag + " on 'dredge " + chain.back()->value("name", "") + "'";
      continue;
    }
    if (positional_seen) continue;
    if (const nlohmann::json* sub = Sub(*chain.back(), w)) {
      chain.push_back(sub);
      continue;
    }
    if (chain.size() == 1) return "no command '" + w + "'";
    positional_seen = true;  // an argument or a flag's value; commands come before it
  }
  return "";
}

TEST(DocCommands, EveryDredgeCommandLineInTheDocsParses) {
  auto dump = RunProcess({DredgeBin(), "--dump-cli-json"});
  ASSERT_EQ(dump.exit_code, 0) << dump.err;
  auto root = nlohmann::json::parse(dump.out);
  std::vector<fs::path> pages = {fs::path(SourceDir()) / "README.md"};
  for (const auto& e : fs::directory_iterator(fs::path(SourceDir()) / "docs"))
    if (e.path().extension() == ".md") pages.push_back(e.path());
  size_t checked = 0;
  for (const auto& page : pages) {
    for (const auto& ex : ExamplesOf(page)) {
      ++checked;
      std::string problem = Check(root, Words(ex.text));
      EXPECT_EQ(problem, "") << ex.page << " line " << ex.line << ": " << ex.text;
    }
  }
  EXPECT_GT(checked, 50u);  // the pages hold many examples; finding few means the scan broke
}

TEST(DocCommands, TheCheckRejectsWhatDoesNotExist) {
  auto dump = RunProcess({DredgeBin(), "--dump-cli-json"});
  ASSERT_EQ(dump.exit_code, 0) << dump.err;
  auto root = nlohmann::json::parse(dump.out);
  EXPECT_EQ(Check(root, Words("dredge backup files --source /d --dest file:///x")), "");
  EXPECT_EQ(Check(root, Words("dredge -v restore files --snapshot latest --target /r")), "");
  EXPECT_NE(Check(root, Words("dredge backups")), "");
  EXPECT_NE(Check(root, Words("dredge backup files --wokers 4")), "");
  EXPECT_NE(Check(root, Words("dredge snapshots --snapshot latest")), "");
}

}  // namespace
}  // namespace dredge::testing
