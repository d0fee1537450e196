#include "common/progress.h"

#include <unistd.h>

#include <cstdio>

#include "common/log.h"
#include "common/log_terminal.h"

namespace dredge {

std::string HumanBytes(uint64_t n) {
  static const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  double v = static_cast<double>(n);
  int u = 0;
  while (v >= 1024 && u < 5) {
    v /= 1024;
    ++u;
  }
  char buf[32];
  if (u == 0)
    std::snprintf(buf, sizeof buf, "%llu B", static_cast<unsigned long long>(n));
  else
    std::snprintf(buf, sizeof buf, "%.1f %s", v, kUnits[u]);
  return buf;
}

Progress::Progress(std::string label, Mode mode, std::chrono::milliseconds interval)
    : label_(std::move(label)), mode_(mode), interval_(interval) {
  if (mode_ == Mode::kAuto) mode_ = ::isatty(2) ? Mode::kTty : Mode::kLines;
  if (mode_ == Mode::kTty) interval_ = std::chrono::milliseconds(200);
  started_ = std::chrono::steady_clock::now();
}

Progress::~Progress() {
  Stop();
}

void Progress::SetTotals(uint64_t files, uint64_t bytes) {
  total_files_ = files;
  total_bytes_ = bytes;
}

void Progress::Start() {
  started_ = std::chrono::steady_clock::now();
  files_ = 0;
  bytes_ = 0;
  if (mode_ == Mode::kOff || thread_.joinable()) return;
  stop_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void Progress::Restart(std::string label) {
  Stop();
  label_ = std::move(label);
  Start();
}

void Progress::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (mode_ == Mode::kTty && drew_) {
    log::EndStatusLine(Line());
    drew_ = false;
  }
}

namespace {

std::string Eta(double seconds) {
  auto eta = static_cast<int64_t>(seconds);
  char buf[48];
  if (eta >= 3600)
    std::snprintf(buf, sizeof buf, ", ETA %lld:%02lld:%02lld", static_cast<long long>(eta / 3600),
                  static_cast<long long>(eta / 60 % 60), static_cast<long long>(eta % 60));
  else
    std::snprintf(buf, sizeof buf, ", ETA %lld:%02lld", static_cast<long long>(eta / 60),
                  static_cast<long long>(eta % 60));
  return buf;
}

}  // namespace

std::string Progress::Line() const {
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  uint64_t f = files_.load(), b = bytes_.load(), tf = total_files_.load(), tb = total_bytes_.load();
  std::string line = label_ + ": " + std::to_string(f);
  if (tf) line += "/" + std::to_string(tf);
  line += " " + unit_;
  const bool bytes = b > 0 || tb > 0;
  if (bytes) {
    line += ", " + HumanBytes(b);
    if (tb) line += "/" + HumanBytes(tb);
  }
  if (secs <= 0) return line;
  if (bytes) {
    double rate = b / secs;
    line += ", " + HumanBytes(static_cast<uint64_t>(rate)) + "/s";
    if (tb > b && rate > 0) line += Eta((tb - b) / rate);
  } else {
    double rate = f / secs;
    char buf[48];
    std::snprintf(buf, sizeof buf, ", %.1f %s/s", rate, unit_.c_str());
    line += buf;
    if (tf > f && rate > 0) line += Eta((tf - f) / rate);
  }
  return line;
}

void Progress::Loop() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    cv_.wait_for(lock, interval_, [&] { return stop_; });
    if (stop_) break;
    if (mode_ == Mode::kTty) {
      log::SetStatusLine(Line());
      drew_ = true;
    } else {
      log::Info(Line());
    }
  }
}

}  // namespace dredge
