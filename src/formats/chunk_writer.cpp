#include "formats/chunk_writer.h"

#include <charconv>

#include "common/decimal.h"
#include "formats/copy_text.h"
#include "formats/temporal.h"

namespace dredge {
namespace {}  // namespace

int CompareKeys(const std::vector<ColumnSpec>& columns, const std::vector<size_t>& key_columns,
                const std::vector<std::string>& a, const std::vector<std::string>& b) {
  for (size_t i = 0; i < key_columns.size() && i < a.size() && i < b.size(); ++i) {
    if (IsIntegerCodec(columns[key_columns[i]].codec)) {
      int64_t x = DecimalOrZero(a[i]), y = DecimalOrZero(b[i]);
      if (x != y) return x < y ? -1 : 1;
    } else {
      int c = a[i].compare(b[i]);
      if (c != 0) return c < 0 ? -1 : 1;
    }
  }
  return 0;
}

ChunkWriter::ChunkWriter(std::vector<ColumnSpec> columns, std::vector<size_t> key_columns)
    : columns_(std::move(columns)), key_columns_(std::move(key_columns)) {
  for (size_t i = 0; i < columns_.size(); ++i) {
    std::string p = i == 0 ? "" : ",";
    AppendJsonString(columns_[i].name, &p);
    p.push_back(':');
    name_prefix_.push_back(std::move(p));
  }
  key_.resize(key_columns_.size());
}

void ChunkWriter::Begin(std::string_view table, std::string_view run, uint64_t number) {
  out_.clear();
  stats_ = ChunkStats{};
  stats_.zones.resize(columns_.size());
  out_ += "{\"format\":\"dredge-chunk\",\"version\":1,\"table\":";
  AppendJsonString(table, &out_);
  out_ += ",\"run\":";
  AppendJsonString(run, &out_);
  out_ += ",\"chunk\":" + std::to_string(number) + ",\"columns\":[";
  for (size_t i = 0; i < columns_.size(); ++i) {
    out_ += i ? ",{\"name\":" : "{\"name\":";
    AppendJsonString(columns_[i].name, &out_);
    out_ += ",\"type\":";
    AppendJsonString(columns_[i].type, &out_);
    out_ += "}";
  }
  out_ += "],\"rows\":[";
}

Status ChunkWriter::AddRow(std::string_view line) {
  copytext::SplitLine(line, &fields_);
  if (fields_.size() != columns_.size())
    return Status::Corrupt("COPY row has " + std::to_string(fields_.size()) + " fields, expected " +
                           std::to_string(columns_.size()));
  out_ += stats_.rows ? ",\n{" : "\n{";
  for (size_t i = 0; i < columns_.size(); ++i) {
    out_ += name_prefix_[i];
    std::string_view f = fields_[i];
    if (f == copytext::kNull) {
      out_ += "null";
      continue;
    }
    AppendJsonValue(columns_[i].codec, f, &out_);
    if (columns_[i].temporal != Temporal::kNone) {
      auto k = TemporalKey(columns_[i].temporal, f);
      if (!k.ok()) return k.status().WithContext("column " + columns_[i].name);
      ZoneMap& z = stats_.zones[i];
      if (!z.any || *k < z.min_key) z.min_key = *k, z.min.assign(f);
      if (!z.any || *k > z.max_key) z.max_key = *k, z.max.assign(f);
      z.any = true;
    }
  }
  out_ += "}";
  for (size_t i = 0; i < key_columns_.size(); ++i) key_[i].assign(fields_[key_columns_[i]]);
  if (stats_.rows == 0 || CompareKeys(columns_, key_columns_, key_, stats_.key_min) < 0)
    stats_.key_min = key_;
  if (stats_.rows == 0 || CompareKeys(columns_, key_columns_, key_, stats_.key_max) > 0)
    stats_.key_max = key_;
  ++stats_.rows;
  return Status::Ok();
}

std::string ChunkWriter::Finish() {
  out_ += "\n]}\n";
  std::string body;
  body.swap(out_);
  return body;
}

}  // namespace dredge
