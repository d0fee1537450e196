#include "ops/hooks.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <vector>

#include "common/log.h"

extern char** environ;

namespace dredge {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr size_t kMaxLoggedOutput = 64 * 1024;
constexpr auto kKillGrace = std::chrono::seconds(2);

// The caller's environment without any DREDGE_ hook variable it may carry, plus this event's.
std::vector<std::string> HookEnvironment(const HookEvent& e) {
  std::vector<std::string> env;
  const std::vector<std::pair<std::string, std::string>> ours = {
      {"DREDGE_HOOK", e.hook},
      {"DREDGE_RUN_ID", e.run_id},
      {"DREDGE_TIER", e.tier},
      {"DREDGE_DEST", e.dest},
      {"DREDGE_EXIT_CODE", std::to_string(e.exit_code)},
      {"DREDGE_SUMMARY", e.summary_path}};
  for (char** p = environ; p && *p; ++p) {
    std::string_view kv(*p);
    bool replaced = std::any_of(ours.begin(), ours.end(), [&](const auto& o) {
      return kv.size() > o.first.size() && kv.starts_with(o.first) && kv[o.first.size()] == '=';
    });
    if (!replaced) env.emplace_back(kv);
  }
  for (const auto& [k, v] : ours) env.push_back(k + "=" + v);
  return env;
}

// Logs complete lines of `pending` (and everything when `flush`), within the output cap.
void LogLines(const std::string& hook, std::string* pending, size_t* logged, bool flush) {
  size_t pos;
  while ((pos = pending->find('\n')) != std::string::npos || (flush && !pending->empty())) {
    std::string line = pos == std::string::npos ? *pending : pending->substr(0, pos);
    pending->erase(0, pos == std::string::npos ? pending->size() : pos + 1);
    if (*logged >= kMaxLoggedOutput) continue;
    *logged += line.size() + 1;
    log::Info("hook " + hook + ": " + line);
    if (*logged >= kMaxLoggedOutput) log::Info("hook " + hook + ": (further output not logged)");
  }
}

pid_t Spawn(const std::string& command, std::vector<std::string>& env, int out_fd) {
  std::vector<char*> envp;
  for (auto& s : env) envp.push_back(s.data());
  envp.push_back(nullptr);
  const char* argv[] = {"/bin/sh", "-c", command.c_str(), nullptr};
  pid_t pid = ::fork();
  if (pid != 0) return pid;
  // Child: only async-signal-safe calls until exec.
  ::setpgid(0, 0);
  int devnull = ::open("/dev/null", O_RDONLY);
  if (devnull >= 0) ::dup2(devnull, 0);
  ::dup2(out_fd, 1);
  ::dup2(out_fd, 2);
  ::close_range(3, ~0U, 0);  // no log file, socket or state index of dredge leaks into the hook
  ::execve("/bin/sh", const_cast<char* const*>(argv), envp.data());
  ::_exit(127);
}

// Reads the child's output until it exits or the deadline passes; returns its wait status,
// or -1 when it was killed for the timeout.
int Supervise(pid_t pid, int fd, const std::string& hook, std::chrono::milliseconds timeout) {
  std::string pending;
  size_t logged = 0;
  const auto deadline = Clock::now() + timeout;
  bool open = true, timed_out = false;
  int wstatus = 0;
  for (;;) {
    pid_t done = ::waitpid(pid, &wstatus, WNOHANG);
    if (done == pid) break;
    auto now = Clock::now();
    if (!timed_out && now >= deadline) {
      timed_out = true;
      ::killpg(pid, SIGTERM);
    }
    if (timed_out && now >= deadline + kKillGrace) ::killpg(pid, SIGKILL);
    pollfd p{fd, POLLIN, 0};
    if (open && ::poll(&p, 1, 50) > 0) {
      char buf[4096];
      ssize_t n = ::read(fd, buf, sizeof buf);
      if (n > 0) pending.append(buf, static_cast<size_t>(n));
      if (n == 0) open = false;  // every writer closed; keep waiting for the exit
    } else if (!open) {
      ::usleep(20000);
    }
    LogLines(hook, &pending, &logged, false);
  }
  // What the shell wrote just before exiting (a background child may hold the pipe: no wait).
  for (int i = 0; i < 64 && open; ++i) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 0) <= 0) break;
    char buf[4096];
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) break;
    pending.append(buf, static_cast<size_t>(n));
  }
  LogLines(hook, &pending, &logged, true);
  return timed_out ? -1 : wstatus;
}

}  // namespace

Status RunHook(const std::string& command, const HookEvent& event,
               std::chrono::milliseconds timeout) {
  auto fail = [&](const std::string& what) {
    std::string msg = "hook " + event.hook + " (" + event.tier + " to " + event.dest + ") " + what +
                      "; the run's result and record are unchanged";
    log::Warn(msg);
    return Status::Io(msg);
  };
  std::vector<std::string> env = HookEnvironment(event);
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0)
    return fail(std::string("could not start: pipe: ") + std::strerror(errno));
  log::Info("running hook " + event.hook + " for " + event.tier + " to " + event.dest);
  pid_t pid = Spawn(command, env, fds[1]);
  ::close(fds[1]);
  if (pid < 0) {
    ::close(fds[0]);
    return fail(std::string("could not start: fork: ") + std::strerror(errno));
  }
  ::setpgid(pid, pid);  // also in the child: whichever runs first
  int ws = Supervise(pid, fds[0], event.hook, timeout);
  ::close(fds[0]);
  if (ws == -1)
    return fail("did not finish within " +
                (timeout.count() % 1000 == 0 ? std::to_string(timeout.count() / 1000) + "s"
                                             : std::to_string(timeout.count()) + "ms") +
                " and was killed (raise [hooks] timeout if it needs longer)");
  if (WIFSIGNALED(ws)) return fail("was killed by signal " + std::to_string(WTERMSIG(ws)));
  if (WIFEXITED(ws) && WEXITSTATUS(ws) != 0)
    return fail("exited with status " + std::to_string(WEXITSTATUS(ws)) +
                (WEXITSTATUS(ws) == 127 ? " (command not found?)" : "") +
                ": check its output above");
  log::Info("hook " + event.hook + " succeeded");
  return Status::Ok();
}

std::string RunSummaryPath(const std::string& log_dir, const std::string& tier,
                           const std::string& run_id) {
  return (fs::path(log_dir) / "summaries" / (tier + "-" + run_id + ".json")).string();
}

namespace {

// Keeps the newest `keep` summaries of `tier` in `dir` (by modification time).
void TrimSummaries(const fs::path& dir, const std::string& tier, int keep) {
  if (keep <= 0) return;
  std::vector<std::pair<fs::file_time_type, fs::path>> files;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    std::string name = e.path().filename().string();
    if (name.starts_with(tier + "-") && name.ends_with(".json"))
      files.emplace_back(e.last_write_time(ec), e.path());
  }
  if (files.size() <= static_cast<size_t>(keep)) return;
  std::sort(files.begin(), files.end());
  for (size_t i = 0; i + static_cast<size_t>(keep) < files.size(); ++i)
    fs::remove(files[i].second, ec);
}

}  // namespace

void RunBackupHooks(const HooksConfig& hooks, const std::string& log_dir, int keep,
                    const std::string& tier, const std::string& dest, const std::string& run_id,
                    int exit_code, const nlohmann::json& summary) {
  const std::string& command = exit_code == 0 ? hooks.on_success : hooks.on_failure;
  if (command.empty()) return;  // the summary is written for the hook alone
  HookEvent e{exit_code == 0 ? "on_success" : "on_failure", run_id, tier, dest, exit_code, ""};
  std::string path = RunSummaryPath(log_dir, tier, run_id);
  std::error_code ec;
  fs::create_directories(fs::path(path).parent_path(), ec);
  nlohmann::json j = summary;
  j["run_id"] = run_id;
  j["tier"] = tier;
  j["destination"] = dest;
  j["exit_code"] = exit_code;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << log::Scrub(j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace)) << "\n";
  out.close();
  if (out) {
    e.summary_path = path;
    TrimSummaries(fs::path(path).parent_path(), tier, keep);
  } else {
    log::Warn("cannot write the run summary " + path + " for the hooks: check [logging] dir");
  }
  (void)RunHook(command, e, std::chrono::milliseconds(hooks.timeout_ms));
}

}  // namespace dredge
