#include "engine/db/chunk_pipeline.h"

#include <zstd.h>

#include <algorithm>

#include "common/hash.h"
#include "formats/chunk_writer.h"
#include "formats/db_keys.h"

namespace dredge {

Result<std::string> ZstdCompress(std::string_view in, int level) {
  std::string out(ZSTD_compressBound(in.size()), '\0');
  size_t n = ZSTD_compress(out.data(), out.size(), in.data(), in.size(), level);
  if (ZSTD_isError(n)) return Status::Io(std::string("zstd: ") + ZSTD_getErrorName(n));
  out.resize(n);
  return out;
}

Result<std::string> ZstdDecompress(std::string_view in) {
  std::string out;
  ZSTD_DCtx* ctx = ZSTD_createDCtx();
  ZSTD_inBuffer ib{in.data(), in.size(), 0};
  std::string buf(ZSTD_DStreamOutSize(), '\0');
  size_t ret = 1;
  while (ib.pos < ib.size) {
    ZSTD_outBuffer ob{buf.data(), buf.size(), 0};
    ret = ZSTD_decompressStream(ctx, &ob, &ib);
    if (ZSTD_isError(ret)) {
      ZSTD_freeDCtx(ctx);
      return Status::Corrupt(std::string("zstd: ") + ZSTD_getErrorName(ret));
    }
    out.append(buf.data(), ob.pos);
  }
  ZSTD_freeDCtx(ctx);
  if (ret != 0) return Status::Corrupt("zstd: truncated frame");
  return out;
}

ChunkPipeline::ChunkPipeline(ObjectStore& store, ChunkPipelineConfig cfg)
    : store_(store), cfg_(std::move(cfg)), next_number_(cfg_.first_number) {
  if (cfg_.workers < 1) cfg_.workers = 1;
  if (cfg_.chunk_rows < 1) cfg_.chunk_rows = 1;
  pool_ = std::make_unique<ThreadPool>(static_cast<size_t>(cfg_.workers), 1);
}

ChunkPipeline::~ChunkPipeline() {
  pool_.reset();
}

Status ChunkPipeline::FirstError() {
  std::lock_guard lock(mu_);
  return error_;
}

Status ChunkPipeline::AddRow(std::string_view line) {
  if (failed_.load(std::memory_order_relaxed)) return FirstError();
  batch_.append(line);
  batch_.push_back('\n');
  ++batch_rows_;
  if (batch_rows_ >= cfg_.chunk_rows || batch_.size() >= cfg_.chunk_bytes) Submit();
  return Status::Ok();
}

void ChunkPipeline::Submit() {
  if (batch_rows_ == 0) return;
  uint64_t number = cfg_.numbers ? cfg_.numbers->fetch_add(1) : next_number_++;
  uint64_t rows = batch_rows_;
  std::string raw;
  raw.swap(batch_);
  batch_rows_ = 0;
  batch_.reserve(std::min<uint64_t>(raw.size() + raw.size() / 8, cfg_.chunk_bytes + 4096));
  // std::function needs a copyable callable: hand the bytes over through a shared_ptr.
  auto bytes = std::make_shared<std::string>(std::move(raw));
  pool_->Submit([this, number, bytes, rows] { Process(number, std::move(*bytes), rows); });
}

void ChunkPipeline::Process(uint64_t number, std::string raw, uint64_t rows) {
  if (failed_.load()) return;
  auto fail = [&](Status st) {
    std::lock_guard lock(mu_);
    if (error_.ok()) error_ = std::move(st);
    failed_ = true;
  };
  ChunkWriter w(cfg_.columns, cfg_.key_columns);
  w.Begin(cfg_.table, cfg_.run, number);
  // JSON adds the column names and quotes to every row: about 1/4 on the articles table.
  w.Reserve(raw.size() + raw.size() / 3 + rows * 16 * cfg_.columns.size() / 4 + 4096);
  size_t start = 0;
  while (start < raw.size()) {
    size_t nl = raw.find('\n', start);
    Status st = w.AddRow(std::string_view(raw).substr(start, nl - start));
    if (!st.ok()) return fail(st.WithContext("chunk " + std::to_string(number)));
    start = nl + 1;
  }
  std::string().swap(raw);  // the raw rows are no longer needed: free them before uploading
  std::string body = w.Finish();
  if (cfg_.zstd) {
    auto z = ZstdCompress(body, cfg_.zstd_level);
    if (!z.ok()) return fail(z.status());
    body = std::move(*z);
  }
  if (cfg_.encrypt) {  // a separate stage: the manifest's sha256/size cover the sealed bytes
    auto sealed = Seal(*cfg_.encrypt, body);
    if (!sealed.ok()) return fail(sealed.status().WithContext("chunk " + std::to_string(number)));
    body = std::move(*sealed);
  }
  ChunkEntry e;
  e.key = dbkeys::ChunkKey(number, cfg_.run_unix_seconds, cfg_.zstd);
  e.number = number;
  e.sha256 = Sha256Hex(body);
  e.size = body.size();
  e.rows = rows;
  e.compression = cfg_.zstd ? "zstd" : "none";
  if (cfg_.encrypt) e.key_id = cfg_.encrypt->id;
  e.key_min = w.stats().key_min;
  e.key_max = w.stats().key_max;
  for (size_t i = 0; i < cfg_.columns.size(); ++i) {
    const ZoneMap& z = w.stats().zones[i];
    if (cfg_.columns[i].temporal != Temporal::kNone && z.any)
      e.zones[cfg_.columns[i].name] = {z.min, z.max};
  }
  PutOptions po;
  po.if_absent = true;
  po.defer_durability = true;  // the exporter syncs once before the manifest names the chunk
  po.content_type = cfg_.encrypt ? "application/octet-stream"
                    : cfg_.zstd  ? "application/zstd"
                                 : "application/json";
  po.metadata["sha256"] = e.sha256;
  auto put = PutString(store_, e.key, body, po);
  if (!put.ok()) return fail(put.status().WithContext("cannot store chunk " + e.key));
  std::lock_guard lock(mu_);
  done_.push_back(std::move(e));
}

Result<std::vector<ChunkEntry>> ChunkPipeline::Finish() {
  if (!failed_) Submit();
  pool_->Wait();
  DREDGE_RETURN_IF_ERROR(FirstError());
  std::lock_guard lock(mu_);
  std::sort(done_.begin(), done_.end(),
            [](const ChunkEntry& a, const ChunkEntry& b) { return a.number < b.number; });
  return done_;
}

}  // namespace dredge
