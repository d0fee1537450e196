#include "store/aws/process_provider.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>

#include <nlohmann/json.hpp>

#include "common/log.h"

namespace dredge::aws {
namespace {

struct Output {
  std::string out;
  int status = -1;
  bool timed_out = false;
};

Result<Output> RunShell(const std::string& command, int timeout_ms) {
  int pipefd[2];
  if (pipe2(pipefd, O_CLOEXEC) != 0) return Status::Io("cannot create a pipe for the process");
  pid_t pid = fork();
  if (pid < 0) {
    close(pipefd[0]);
    close(pipefd[1]);
    return Status::Io("cannot start a process (fork failed)");
  }
  if (pid == 0) {
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, 0);
    dup2(pipefd[1], 1);
    execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  close(pipefd[1]);
  Output r;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  char buf[4096];
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now())
                    .count();
    if (left <= 0) {
      r.timed_out = true;
      kill(pid, SIGKILL);
      break;
    }
    pollfd p{pipefd[0], POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left)) < 0 && errno != EINTR) break;
    if (!(p.revents & (POLLIN | POLLHUP | POLLERR))) continue;
    ssize_t n = read(pipefd[0], buf, sizeof buf);
    if (n <= 0) break;
    if (r.out.size() < (1u << 20)) r.out.append(buf, static_cast<size_t>(n));
  }
  close(pipefd[0]);
  int st = 0;
  while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
  }
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  return r;
}

}  // namespace

ProcessProvider::ProcessProvider(std::string command, std::string profile)
    : command_(std::move(command)), profile_(std::move(profile)) {}

Result<AwsCredentials> ProcessProvider::Get() {
  const std::string what = "the credential_process of profile " + profile_;
  DREDGE_ASSIGN_OR_RETURN(Output o, RunShell(command_, 60000));
  auto j = nlohmann::json::parse(o.out, nullptr, false);
  auto str = [&](const char* k) {
    return j.is_object() && j.contains(k) && j[k].is_string() ? j[k].get<std::string>()
                                                              : std::string();
  };
  AwsCredentials c{TakeKeys(str("AccessKeyId"), str("SecretAccessKey"), str("SessionToken")), 0};
  if (o.timed_out)
    return Status::Permanent(what +
                             " ran longer than 60 s and was stopped: run it by hand to "
                             "see why it waits (it gets no input)");
  if (o.status != 0)
    return Status::Permanent(what + " exited with status " + std::to_string(o.status) +
                             ": run it by hand to see its message");
  if (!j.is_object())
    return Status::Permanent(what +
                             " did not print a JSON object on stdout (output not shown: "
                             "it may hold secrets)");
  if (!j.contains("Version") || !j["Version"].is_number_integer() || j["Version"] != 1)
    return Status::Permanent(what +
                             " printed JSON without \"Version\": 1, the only version the "
                             "AWS CLI documents");
  if (c.keys.access_key_id.empty() || c.keys.secret_access_key.empty())
    return Status::Permanent(what + " printed JSON without AccessKeyId or SecretAccessKey");
  if (!str("Expiration").empty()) {
    auto exp = ParseExpiryMs(str("Expiration"));
    if (!exp.ok())
      return Status::Permanent(what + " printed an Expiration that is not an ISO 8601 time");
    c.expires_ms = *exp;
  }
  return c;
}

}  // namespace dredge::aws
