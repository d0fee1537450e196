#include "cli/suggest.h"

#include <algorithm>

namespace dredge {

size_t EditDistance(const std::string& a, const std::string& b) {
  // Optimal string alignment distance: Levenshtein plus transposition of neighbours.
  const size_t n = a.size(), m = b.size();
  std::vector<std::vector<size_t>> d(n + 1, std::vector<size_t>(m + 1));
  for (size_t i = 0; i <= n; ++i) d[i][0] = i;
  for (size_t j = 0; j <= m; ++j) d[0][j] = j;
  for (size_t i = 1; i <= n; ++i)
    for (size_t j = 1; j <= m; ++j) {
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[n][m];
}

std::string ClosestName(const std::string& typo, const std::vector<std::string>& candidates) {
  std::string best;
  size_t best_d = 0;
  for (const auto& c : candidates) {
    size_t d = EditDistance(typo, c);
    if (best.empty() || d < best_d) {
      best = c;
      best_d = d;
    }
  }
  const size_t limit = std::min<size_t>(2, typo.size() / 3 + 1);
  return !best.empty() && best_d <= limit ? best : std::string();
}

namespace {

std::string CommandPath(const CLI::App* app) {
  std::vector<std::string> names;
  for (const CLI::App* a = app; a; a = a->get_parent()) names.push_back(a->get_name());
  std::string out;
  for (auto it = names.rbegin(); it != names.rend(); ++it) out += (out.empty() ? "" : " ") + *it;
  return out;
}

// Long and short flag names `app` accepts, with those of its parents (dredge's commands fall
// through to the global flags).
std::vector<std::string> FlagNames(const CLI::App* app) {
  std::vector<std::string> out;
  for (const CLI::App* a = app; a; a = a->get_parent())
    for (const CLI::Option* o : a->get_options()) {
      for (const auto& l : o->get_lnames()) out.push_back("--" + l);
      for (const auto& s : o->get_snames()) out.push_back("-" + s);
    }
  return out;
}

const CLI::Option* FindFlag(const CLI::App* app, const std::string& name) {
  for (const CLI::App* a = app; a; a = a->get_parent())
    for (const CLI::Option* o : a->get_options())
      if (o->check_name(name)) return o;
  return nullptr;
}

std::vector<std::string> SubcommandNames(const CLI::App* app) {
  std::vector<std::string> out;
  for (const CLI::App* s : app->get_subcommands([](const CLI::App*) { return true; }))
    out.push_back(s->get_name());
  return out;
}

std::string DidYouMean(const std::string& close) {
  return close.empty() ? std::string() : "; did you mean '" + close + "'?";
}

}  // namespace

std::string UsageMessage(CLI::App& root, const CLI::ParseError& error, int argc,
                         const char* const* argv) {
  CLI::App* app = &root;
  for (int i = 1; i < argc; ++i) {
    std::string tok = argv[i];
    if (tok == "--") break;
    if (tok.size() > 1 && tok[0] == '-') {
      std::string name = tok.substr(0, tok.find('='));
      const CLI::Option* o = FindFlag(app, name);
      if (!o) {
        return "unknown flag '" + name + "' for '" + CommandPath(app) + "'" +
               DidYouMean(ClosestName(name, FlagNames(app))) + " (see '" + CommandPath(app) +
               " --help')";
      }
      // Skip the value of an option that takes one ("--dest URL", not "--dest=URL").
      if (o->get_expected_min() > 0 && tok.find('=') == std::string::npos && i + 1 < argc) ++i;
      continue;
    }
    auto subs = SubcommandNames(app);
    CLI::App* next = nullptr;
    for (CLI::App* sub : app->get_subcommands([](CLI::App*) { return true; }))
      if (sub->check_name(tok)) next = sub;
    if (next) {
      app = next;
      continue;
    }
    // A word where only subcommands fit (no positional arguments) is a mistyped command.
    if (!subs.empty() &&
        app->get_options([](const CLI::Option* o) { return o->get_positional(); }).empty()) {
      std::string what = app == &root ? tok : CommandPath(app) + " " + tok;
      return "unknown command '" + what + "'" + DidYouMean(ClosestName(tok, subs)) + " (see '" +
             CommandPath(app) + " --help')";
    }
    break;
  }
  return std::string(error.what()) + " (see '" + CommandPath(app) + " --help')";
}

}  // namespace dredge
