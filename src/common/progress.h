// Progress of a long run (items and bytes done out of a total), for people watching.
//
// Items are files by default; SetUnit names them otherwise ("objects", "rows", "chunks").
// The line reads "LABEL: done/total UNIT, bytes/total bytes, RATE/s, ETA m:ss": the totals
// appear once SetTotals gave them, the byte part only when bytes are counted, the rate is bytes
// per second (items per second when no bytes are counted), and the ETA is estimated from the
// bytes total when there is one, else from the item total.
//
// On a terminal (stderr is a TTY) a single redrawn line, drawn through the log sink
// (log::SetStatusLine), so log lines and warnings printed meanwhile appear above the bar, never
// on top of it. Otherwise a quiet line via log::Info every `interval` (5 s by default), so cron
// logs stay readable. Counters are atomics: any worker thread may call Add*. Start/Stop from the
// owning thread; Stop prints nothing extra when the run was shorter than one interval off a TTY,
// and on a TTY leaves the final line in place of the bar.
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

  // Before Start: what the items are ("files" unless set).
  void SetUnit(std::string unit) { unit_ = std::move(unit); }
  // May be called before or during the run (a total learned late still gives an ETA).
  void SetTotals(uint64_t files, uint64_t bytes);
  void AddFiles(uint64_t n) { files_.fetch_add(n, std::memory_order_relaxed); }
  void AddBytes(uint64_t n) { bytes_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t files() const { return files_.load(); }
  uint64_t bytes() const { return bytes_.load(); }

  // Start zeroes the counters (totals stay as set), so one Progress can show several runs one
  // after the other (each destination of a command).
  void Start();
  void Stop();
  // The next phase of the same run under a new label: stops the current one (its final line
  // stays), zeroes the counters (totals stay as last set: set them first), and starts again.
  void Restart(std::string label);
  // The line that would be shown now (tests, final summaries).
  std::string Line() const;

 private:
  void Loop();
  std::string label_;
  std::string unit_ = "files";
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
