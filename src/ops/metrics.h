// Prometheus textfile-collector output (`--metrics-file PATH`, e.g.
// /var/lib/prometheus/node-exporter/dredge.prom).
//
// UpdateMetricsFile merges one run's figures into the file: the series of this run's tier and
// destination are replaced, every other series in the file is kept, so `dredge backup files` and
// `dredge backup db` (or several destinations) can share one file. The file is replaced
// atomically (temp file in the same directory, fsync, rename), so the collector never reads a
// half-written file, and concurrent writers are serialised by an flock on PATH.lock.
//
// Series, all labelled {tier, destination}:
//   dredge_last_run_timestamp_seconds      end of the last run (gauge)
//   dredge_last_run_success                1 if the last run succeeded, else 0
//   dredge_last_run_exit_code              its exit code
//   dredge_last_run_duration_seconds
//   dredge_last_run_objects, _bytes, _rows objects and bytes written, rows exported
//   dredge_last_success_timestamp_seconds  end of the last successful run (kept across failures;
//                                          absent until the first success)
//   dredge_failures_total                  failed runs since the file was created (counter)
//   dredge_consecutive_failures            failed runs since the last success
// Alert on `time() - dredge_last_success_timestamp_seconds > 26*3600` or on
// `dredge_consecutive_failures > 0`.
#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"

namespace dredge {

struct RunMetrics {
  std::string tier;
  std::string destination;
  bool success = false;
  int exit_code = 0;
  int64_t start_ns = 0;
  int64_t end_ns = 0;
  uint64_t objects = 0;
  uint64_t bytes = 0;
  uint64_t rows = 0;
};

Status UpdateMetricsFile(const std::string& path, const RunMetrics& run);

// Escapes a label value per the exposition format (backslash, double quote, newline).
std::string EscapeLabelValue(const std::string& value);

}  // namespace dredge
