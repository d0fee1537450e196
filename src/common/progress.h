// Progress of a long run (files and bytes done out of a total), for people watching.
//
// On a terminal (stderr is a TTY) a single redrawn line: files, bytes, rate, ETA. Otherwise a
// quiet line via log::Info every `interval` (5 s by default), so cron logs stay readable.
// Counters are atomics: any worker thread may call Add*. Start/Stop from the owning thread;
// Stop prints nothing extra when the run was shorter than one interval off a TTY.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

namespace dredge {

class Progress {
 public:
  enum class Mode { kAuto, kTty, kLines, kOff };
  explicit Progress(std::string label, Mode mode = Mode::kAuto,
                    std::chrono::milliseconds interval = std::chrono::seconds(5));
  ~Progress();

  void SetTotals(uint64_t files, uint64_t bytes);
  void AddFiles(uint64_t n) { files_.fetch_add(n, std::memory_order_relaxed); }
  void AddBytes(uint64_t n) { bytes_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t files() const { return files_.load(); }
  uint64_t bytes() const { return bytes_.load(); }

  void Start();
  void Stop();
  // The line that would be shown now (tests, final summaries).
  std::string Line() const;

 private:
  void Loop();
  std::string label_;
  Mode mode_;
  std::chrono::milliseconds interval_;
  std::atomic<uint64_t> files_{0}, bytes_{0}, total_files_{0}, total_bytes_{0};
  std::chrono::steady_clock::time_point started_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  bool drew_ = false;
  std::thread thread_;
};

// "1.5 MiB", "12.0 GiB": for messages.
std::string HumanBytes(uint64_t n);

}  // namespace dredge
