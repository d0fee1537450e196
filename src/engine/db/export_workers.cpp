#include "engine/db/export_workers.h"

#include <algorithm>
#include <atomic>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace dredge {
namespace {

// Hands out table indexes and keeps the first failure.
struct Dispatch {
  explicit Dispatch(size_t count) : n(count) {}
  const size_t n;
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex mu;
  Status first_error;

  void Fail(Status st) {
    std::lock_guard lock(mu);
    if (!failed.exchange(true)) first_error = std::move(st);
  }
  void Drain(RunExportContext& ctx,
             const std::function<Status(RunExportContext&, size_t)>& export_one) {
    for (size_t i; !failed.load() && (i = next.fetch_add(1)) < n;) {
      Status st = export_one(ctx, i);
      if (!st.ok()) Fail(std::move(st));
    }
  }
};

RunExportContext Sibling(const RunExportContext& first, PgConn* conn, int encode_workers) {
  RunExportContext ctx;
  ctx.store = first.store;
  ctx.conn = conn;
  ctx.pg = first.pg;
  ctx.chunks = first.chunks;
  ctx.chunks.workers = encode_workers;
  ctx.numbers = first.numbers;
  ctx.xmax = first.xmax;
  return ctx;
}

}  // namespace

ExportPlan PlanExport(size_t tables, int workers) {
  ExportPlan p;
  workers = std::max(1, workers);
  p.connections = static_cast<int>(
      std::clamp<size_t>(std::min<size_t>(tables, static_cast<size_t>(workers / 2)), 1,
                         static_cast<size_t>(kMaxExportConnections)));
  p.encode_workers = std::max(1, workers / p.connections);
  return p;
}

Status ExportOnConnections(const ExportPlan& plan, RunExportContext& first,
                           const std::string& snapshot_id, size_t n,
                           const std::function<Status(RunExportContext&, size_t)>& export_one) {
  Dispatch d(n);
  first.chunks.workers = plan.encode_workers;
  std::vector<std::unique_ptr<PgConn>> conns;
  std::vector<RunExportContext> ctxs;
  for (int c = 1; c < plan.connections && static_cast<size_t>(c) < n; ++c) {
    DREDGE_ASSIGN_OR_RETURN(auto conn, ConnectInSnapshot(first.pg, snapshot_id));
    ctxs.push_back(Sibling(first, conn.get(), plan.encode_workers));
    conns.push_back(std::move(conn));
  }
  {
    std::vector<std::jthread> threads;
    for (auto& ctx : ctxs)
      threads.emplace_back([&d, &ctx, &export_one] { d.Drain(ctx, export_one); });
    d.Drain(first, export_one);
  }
  if (d.failed) return d.first_error;
  for (size_t c = 0; c < ctxs.size(); ++c) {
    DREDGE_RETURN_IF_ERROR(CloseKeyConnection(ctxs[c]));
    DREDGE_RETURN_IF_ERROR(conns[c]->Exec("COMMIT"));
  }
  return Status::Ok();
}

}  // namespace dredge
