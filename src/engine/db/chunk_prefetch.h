// Fetching and decoding the chunks of a table restore ahead of the COPY that loads them.
//  - DecodedChunk: one chunk's rows as COPY text lines with, per row, its key and whether the
//    row filter passes it.
//  - DecodeChunk reads one chunk (engine/db/chunk_fetch.h: hash checked, columns matched) into
//    a DecodedChunk; its status carries any failure.
//  - ChunkPrefetch decodes chunks 0..count-1 on `workers` threads, at most workers + 1 ahead of
//    the consumer, and hands them out strictly in order: Take(i) waits for chunk i and starts
//    the next one. Memory is bounded by the window, not by the table. The destructor (or
//    Cancel) stops decoding what has not started and waits for the rest.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "common/thread_pool.h"
#include "engine/db/row_filter.h"
#include "formats/manifest.h"
#include "store/object_store.h"

namespace dredge {

// How a table's rows are keyed (formats/manifest.h TableSchema).
struct KeyShape {
  std::vector<size_t> key_idx;  // within the chunk's columns
  bool int_key = false;         // one integer key column
  bool keyless = false;         // no key: read and restored whole
};

struct DecodedChunk {
  Status status;
  std::vector<int64_t> int_keys;       // per row, when int_key
  std::vector<std::string> text_keys;  // per row, otherwise ("" when keyless)
  std::vector<char> pass;              // per row: the row filter passes it
  std::string lines;                   // rows as COPY text, each ending in '\n'
  std::vector<size_t> ends;            // end offset of each row in `lines`
};

DecodedChunk DecodeChunk(ObjectStore& store, const ChunkEntry& entry,
                         const std::vector<ColumnSpec>& cols, const KeyShape& shape,
                         const RowFilter& filter);

class ChunkPrefetch {
 public:
  using Decode = std::function<DecodedChunk(size_t index)>;
  ChunkPrefetch(size_t count, int workers, Decode decode);
  ~ChunkPrefetch();
  ChunkPrefetch(const ChunkPrefetch&) = delete;
  ChunkPrefetch& operator=(const ChunkPrefetch&) = delete;

  // Starts the first window of chunks (call once, before Take).
  void Start();
  // Chunk i (i = 0, 1, … in order), waiting until it is decoded.
  DecodedChunk Take(size_t i);
  // Chunks not yet started are skipped (their DecodedChunk is empty); waits for the others.
  void Cancel();

 private:
  struct Slot;
  void Submit(size_t i);

  size_t count_;
  size_t window_;
  Decode decode_;
  std::vector<std::shared_ptr<Slot>> slots_;
  std::shared_ptr<std::atomic<bool>> cancel_;
  size_t next_ = 0;
  ThreadPool pool_;
};

}  // namespace dredge
