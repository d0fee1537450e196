#include "engine/db/chunk_prefetch.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <utility>

#include "engine/db/chunk_fetch.h"
#include "formats/key_set.h"

namespace dredge {

DecodedChunk DecodeChunk(ObjectStore& store, const ChunkEntry& entry,
                         const std::vector<ColumnSpec>& cols, const KeyShape& shape,
                         const RowFilter& filter) {
  DecodedChunk d;
  d.status = ReadChunkRows(store, entry, cols, [&](std::vector<std::string>& f) {
    if (shape.keyless) {
      d.text_keys.emplace_back();
    } else if (shape.int_key) {
      d.int_keys.push_back(IntKeyOf(f[shape.key_idx[0]]));
    } else {
      d.text_keys.push_back(TextKeyOf(f, shape.key_idx));
    }
    d.pass.push_back(filter.Pass(f, shape.int_key ? d.int_keys.back() : 0) ? 1 : 0);
    for (size_t j = 0; j < f.size(); ++j) {
      if (j) d.lines.push_back('\t');
      d.lines += f[j];
    }
    d.lines.push_back('\n');
    d.ends.push_back(d.lines.size());
    return Status::Ok();
  });
  return d;
}

struct ChunkPrefetch::Slot {
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  DecodedChunk data;
};

ChunkPrefetch::ChunkPrefetch(size_t count, int workers, Decode decode)
    : count_(count),
      window_(static_cast<size_t>(std::max(1, workers)) + 1),
      decode_(std::move(decode)),
      slots_(count),
      cancel_(std::make_shared<std::atomic<bool>>(false)),
      pool_(static_cast<size_t>(std::max(1, workers)), window_) {
  for (auto& s : slots_) s = std::make_shared<Slot>();
}

ChunkPrefetch::~ChunkPrefetch() {
  Cancel();
}

void ChunkPrefetch::Start() {
  for (; next_ < count_ && next_ < window_; ++next_) Submit(next_);
}

void ChunkPrefetch::Submit(size_t i) {
  std::shared_ptr<Slot> slot = slots_[i];
  pool_.Submit([this, slot, i, cancel = cancel_] {
    DecodedChunk d;
    if (!*cancel) d = decode_(i);
    std::lock_guard lock(slot->mu);
    slot->data = std::move(d);
    slot->done = true;
    slot->cv.notify_all();
  });
}

DecodedChunk ChunkPrefetch::Take(size_t i) {
  DecodedChunk d;
  {
    std::unique_lock lock(slots_[i]->mu);
    slots_[i]->cv.wait(lock, [&] { return slots_[i]->done; });
    d = std::move(slots_[i]->data);
  }
  slots_[i].reset();
  if (next_ < count_) Submit(next_++);
  return d;
}

void ChunkPrefetch::Cancel() {
  *cancel_ = true;
  pool_.Wait();
}

}  // namespace dredge
