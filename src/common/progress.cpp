#include "common/progress.h"

#include <unistd.h>

#include <cstdio>

#include "common/log.h"

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
  if (mode_ == Mode::kOff || thread_.joinable()) return;
  stop_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void Progress::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (mode_ == Mode::kTty && drew_) {
    std::fprintf(stderr, "\r\033[K%s\n", Line().c_str());
    drew_ = false;
  }
}

std::string Progress::Line() const {
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  uint64_t f = files_.load(), b = bytes_.load(), tf = total_files_.load(), tb = total_bytes_.load();
  double rate = secs > 0 ? b / secs : 0;
  std::string line = label_ + ": " + std::to_string(f);
  if (tf) line += "/" + std::to_string(tf);
  line += " files, " + HumanBytes(b);
  if (tb) line += "/" + HumanBytes(tb);
  line += ", " + HumanBytes(static_cast<uint64_t>(rate)) + "/s";
  if (tb > b && rate > 0) {
    int64_t eta = static_cast<int64_t>((tb - b) / rate);
    char buf[32];
    std::snprintf(buf, sizeof buf, ", ETA %lld:%02lld", static_cast<long long>(eta / 60),
                  static_cast<long long>(eta % 60));
    line += buf;
  }
  return line;
}

void Progress::Loop() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    cv_.wait_for(lock, interval_, [&] { return stop_; });
    if (stop_) break;
    if (mode_ == Mode::kTty) {
      std::fprintf(stderr, "\r\033[K%s", Line().c_str());
      std::fflush(stderr);
      drew_ = true;
    } else {
      log::Info(Line());
    }
  }
}

}  // namespace dredge
