// Cuts a stream of COPY rows into chunks and has a worker pool encode (ChunkWriter),
// compress (zstd), hash (sha256) and upload each one, in parallel with the reading. At most
// `workers` chunks are being processed and one waits in the queue, so memory stays bounded by
// about (workers + 2) × (raw + encoded chunk bytes). Chunk keys are put with if_absent and
// defer_durability: the caller must call the store's Sync() before a manifest names them.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/aead.h"
#include "common/status.h"
#include "common/thread_pool.h"
#include "formats/column_codec.h"
#include "formats/manifest.h"
#include "store/object_store.h"

namespace dredge {

struct ChunkPipelineConfig {
  std::vector<ColumnSpec> columns;
  std::vector<size_t> key_columns;
  std::string table;  // qualified, for the chunk header
  std::string run;    // YYYYMMDD_HHMMSS
  int64_t run_unix_seconds = 0;
  uint64_t first_number = 1;
  // When set, every chunk takes its number from this counter instead (first_number is then
  // unused): pipelines of one run that read several tables at once never share a number.
  std::atomic<uint64_t>* numbers = nullptr;
  uint64_t chunk_rows = 1000;
  uint64_t chunk_bytes = 64ull << 20;
  int workers = 4;
  bool zstd = false;
  int zstd_level = 3;
  // When set, each chunk is sealed after compression (docs/formats/encryption.md).
  std::optional<EncryptionKey> encrypt;
};

class ChunkPipeline {
 public:
  ChunkPipeline(ObjectStore& store, ChunkPipelineConfig cfg);
  ~ChunkPipeline();

  // One row without its newline. Returns the first upload error as soon as one is known.
  Status AddRow(std::string_view line);
  // Sends the last partial chunk and waits for all; the entries sorted by chunk number.
  Result<std::vector<ChunkEntry>> Finish();

 private:
  void Submit();
  void Process(uint64_t number, std::string raw, uint64_t rows);
  Status FirstError();

  ObjectStore& store_;
  ChunkPipelineConfig cfg_;
  std::unique_ptr<ThreadPool> pool_;
  std::string batch_;
  uint64_t batch_rows_ = 0;
  uint64_t next_number_;
  std::mutex mu_;
  std::vector<ChunkEntry> done_;
  Status error_;
  std::atomic<bool> failed_{false};
};

// zstd-compresses `in` (level 1–19). Io on failure.
Result<std::string> ZstdCompress(std::string_view in, int level);
// Decompresses a whole zstd frame; Corrupt on bad data.
Result<std::string> ZstdDecompress(std::string_view in);

}  // namespace dredge
