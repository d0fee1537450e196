// Runs a child process for end-to-end tests: argv (no shell), optional extra environment,
// captures stdout and stderr separately, returns the exit code (128+signal if killed) and the
// child's peak resident set size. RunInPty runs it on a pseudo-terminal instead.
// The child's environment is this process's, which holds none of the caller's DREDGE_*, AWS_*
// or PG* variables (tests/support/hermetic_env.cpp removed them at start), plus `env`: a test
// hands each child exactly the settings it means to.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <string>
#include <vector>

namespace dredge::testing {

struct ProcessResult {
  int exit_code = -1;
  std::string out;
  std::string err;
  long max_rss_kb = 0;  // the child's peak RSS (getrusage ru_maxrss via wait4)
};

// In a forked child: chdir, set `env`, exec argv (PATH searched); never returns.
[[noreturn]] inline void ExecChild(const std::vector<std::string>& argv,
                                   const std::map<std::string, std::string>& env,
                                   const std::string& cwd) {
  if (!cwd.empty() && chdir(cwd.c_str()) != 0) _exit(127);
  for (const auto& [k, v] : env) setenv(k.c_str(), v.c_str(), 1);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  execvp(args[0], args.data());
  _exit(127);
}

inline ProcessResult RunProcess(const std::vector<std::string>& argv,
                                const std::map<std::string, std::string>& env = {},
                                const std::string& cwd = "") {
  int out_pipe[2], err_pipe[2];
  ProcessResult r;
  if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0) return r;
  pid_t pid = fork();
  if (pid == 0) {
    dup2(out_pipe[1], 1);
    dup2(err_pipe[1], 2);
    ExecChild(argv, env, cwd);
  }
  close(out_pipe[1]);
  close(err_pipe[1]);
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  std::string* sinks[2] = {&r.out, &r.err};
  int open_count = 2;
  char buf[65536];
  while (open_count > 0) {
    if (poll(fds, 2, -1) < 0) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t n = read(fds[i].fd, buf, sizeof buf);
      if (n > 0) {
        sinks[i]->append(buf, static_cast<size_t>(n));
      } else {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_count;
      }
    }
  }
  int status = 0;
  struct rusage usage {};
  wait4(pid, &status, 0, &usage);
  r.max_rss_kb = usage.ru_maxrss;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

// Runs argv with stdin, stdout and stderr on a new pseudo-terminal (200 columns, raw: no "\n" to
// "\r\n" translation, so `out` holds exactly the bytes the program wrote), with the exit code.
inline ProcessResult RunInPty(const std::vector<std::string>& argv,
                              const std::map<std::string, std::string>& env,
                              const std::string& cwd) {
  ProcessResult r;
  int master = -1;
  winsize ws{};
  ws.ws_col = 200;
  ws.ws_row = 50;
  termios raw{};
  raw.c_cflag = CS8 | CREAD;
  cfsetspeed(&raw, B38400);
  pid_t pid = forkpty(&master, nullptr, &raw, &ws);
  if (pid < 0) return r;
  if (pid == 0) ExecChild(argv, env, cwd);
  char buf[4096];
  for (;;) {
    ssize_t n = read(master, buf, sizeof buf);
    if (n > 0) {
      r.out.append(buf, static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    break;  // EIO: the child closed the terminal
  }
  close(master);
  int status = 0;
  waitpid(pid, &status, 0);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

}  // namespace dredge::testing
