// Per-key mutual exclusion inside one process: the file:// driver holds a key's lock while it
// replaces the key's sidecar and data file, so that two puts, or a put and a sidecar repair, of
// the same key never interleave (the sidecar must describe whichever data file is in place).
// Different keys never wait for each other. Guards are released on destruction.
#pragma once

#include <condition_variable>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <utility>

namespace dredge::filestore {

class KeyLocks {
 public:
  class Guard {
   public:
    Guard(KeyLocks* owner, std::string key) : owner_(owner), key_(std::move(key)) {}
    Guard(Guard&& o) noexcept : owner_(std::exchange(o.owner_, nullptr)), key_(std::move(o.key_)) {}
    Guard(const Guard&) = delete;
    Guard& operator=(const Guard&) = delete;
    Guard& operator=(Guard&&) = delete;
    ~Guard() {
      if (owner_) owner_->Unlock(key_);
    }

   private:
    KeyLocks* owner_;
    std::string key_;
  };

  Guard Lock(std::string_view key) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return held_.find(key) == held_.end(); });
    held_.emplace(key);
    return Guard(this, std::string(key));
  }

 private:
  void Unlock(const std::string& key) {
    {
      std::lock_guard lock(mu_);
      held_.erase(key);
    }
    cv_.notify_all();
  }
  std::mutex mu_;
  std::condition_variable cv_;
  std::set<std::string, std::less<>> held_;
};

}  // namespace dredge::filestore
