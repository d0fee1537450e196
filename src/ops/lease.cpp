#include "ops/lease.h"

#include <signal.h>

#include <cerrno>

#include <nlohmann/json.hpp>

#include "common/log.h"
#include "common/record_header.h"
#include "common/time_util.h"
#include "formats/ops_keys.h"

namespace dredge {
namespace {

constexpr int kLeaseVersion = 1;

bool ProcessGone(int64_t pid) {
  if (pid <= 0) return false;
  return ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH;
}

std::string HeldMessage(const LeaseRecord& other, const std::string& key,
                        const ObjectStore& store) {
  return "another dredge run holds the " + other.tier + " lease on " + store.Describe() + " (" +
         other.holder.Describe() + ", lease expires " + FormatIsoUtc(other.expiry_ns / 1000000000) +
         "). Wait for it to finish; if that run is gone, its lease expires by itself, or remove '" +
         key + "' once you are sure it is not running";
}

}  // namespace

std::string EncodeLease(const LeaseRecord& l) {
  nlohmann::ordered_json j = {
      {"format", "dredge-lease"},
      {"version", kLeaseVersion},
      {"tier", l.tier},
      {"host", l.holder.host},
      {"pid", l.holder.pid},
      {"run_id", l.holder.run_id},
      {"start", FormatIsoUtcNanos(l.holder.start_ns)},
      {"start_ns", std::to_string(l.holder.start_ns)},
      {"renewed", FormatIsoUtcNanos(l.renewed_ns)},
      {"expiry", FormatIsoUtcNanos(l.expiry_ns)},
      {"expiry_ns", std::to_string(l.expiry_ns)},
  };
  return j.dump(2) + "\n";
}

Result<LeaseRecord> DecodeLease(std::string_view bytes, const std::string& key) {
  try {
    auto j = nlohmann::json::parse(bytes);
    DREDGE_RETURN_IF_ERROR(
        CheckRecordHeader(j, "dredge-lease", kLeaseVersion, "lease '" + key + "'"));
    LeaseRecord l;
    l.tier = j.at("tier").get<std::string>();
    l.holder.host = j.at("host").get<std::string>();
    l.holder.pid = j.at("pid").get<int64_t>();
    l.holder.run_id = j.at("run_id").get<std::string>();
    l.holder.start_ns = std::stoll(j.at("start_ns").get<std::string>());
    l.expiry_ns = std::stoll(j.at("expiry_ns").get<std::string>());
    auto renewed = ParseIsoTime(j.value("renewed", ""));
    l.renewed_ns = renewed.ok() ? *renewed : l.holder.start_ns;
    return l;
  } catch (const std::exception& e) {
    return Status::Corrupt("cannot read lease '" + key + "': " + e.what());
  }
}

RemoteLease::RemoteLease(std::shared_ptr<ObjectStore> store, RunIdentity me, LeaseOptions options)
    : store_(std::move(store)), me_(std::move(me)), options_(std::move(options)) {
  key_ = ops_keys::LeaseKey(options_.tier);
  if (options_.renew_interval.count() <= 0) options_.renew_interval = options_.ttl / 3;
}

int64_t RemoteLease::Now() const {
  return options_.now_ns ? options_.now_ns() : NowUnixNanos();
}

Status RemoteLease::WriteOurs(bool if_absent) {
  LeaseRecord mine{me_, options_.tier, Now(), Now() + options_.ttl.count() * 1000000};
  expiry_ns_ = mine.expiry_ns;
  PutOptions po;
  po.if_absent = if_absent;
  po.content_type = "application/json";
  auto put = PutString(*store_, key_, EncodeLease(mine), po);
  return put.ok() ? Status::Ok() : put.status();
}

Status RemoteLease::ConfirmOurs() {
  std::this_thread::sleep_for(options_.settle);
  auto bytes = GetString(*store_, key_);
  if (!bytes.ok()) return bytes.status().WithContext("cannot read back lease '" + key_ + "'");
  auto read = DecodeLease(*bytes, key_);
  if (!read.ok()) return read.status();
  if (read->holder.run_id != me_.run_id)
    return Status::LockHeld(HeldMessage(*read, key_, *store_) + " (it won a race for the lease)");
  return Status::Ok();
}

Status RemoteLease::MayTakeOver(const std::string& existing) {
  const std::string where = store_->Describe();
  auto other = DecodeLease(existing, key_);
  if (!other.ok()) {
    log::Warn(other.status().message() + ": replacing it");
    return Status::Ok();
  }
  if (other->expiry_ns < Now()) {
    log::Info("taking over the expired " + options_.tier + " lease of " + other->holder.Describe() +
              " on " + where);
    return Status::Ok();
  }
  if (options_.local_lock_held && other->holder.host == me_.host && other->holder.pid != me_.pid &&
      ProcessGone(other->holder.pid)) {
    log::Info("taking over the " + options_.tier + " lease of " + other->holder.Describe() +
              ": that process is gone and this host's lock is ours");
    return Status::Ok();
  }
  return Status::LockHeld(HeldMessage(*other, key_, *store_));
}

Result<std::unique_ptr<RemoteLease>> RemoteLease::Acquire(std::shared_ptr<ObjectStore> store,
                                                          const RunIdentity& me,
                                                          const LeaseOptions& options) {
  std::unique_ptr<RemoteLease> lease(new RemoteLease(std::move(store), me, options));
  ObjectStore& s = *lease->store_;
  const std::string& key = lease->key_;
  const bool conditional = s.capabilities().conditional_put;
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto existing = GetString(s, key);
    if (!existing.ok() && !existing.status().Is(ErrorKind::kNotFound))
      return existing.status().WithContext("cannot read lease '" + key + "' on " + s.Describe());
    if (existing.ok()) {
      DREDGE_RETURN_IF_ERROR(lease->MayTakeOver(*existing));
      DREDGE_RETURN_IF_ERROR(s.Remove(key).WithContext("cannot remove the expired lease"));
    }
    Status put = lease->WriteOurs(conditional);
    if (put.Is(ErrorKind::kPreconditionFailed)) continue;  // someone else was faster: re-read
    if (!put.ok()) return put.WithContext("cannot write lease '" + key + "' on " + s.Describe());
    // After a takeover or on a store without conditional writes: wait out racing writers, then
    // make sure the lease we read is ours. How it was taken is logged, so an operator (and a
    // test) can see whether a settle wait was spent: none after a conditional create.
    const bool settled = existing.ok() || !conditional;
    if (settled) DREDGE_RETURN_IF_ERROR(lease->ConfirmOurs());
    log::Info("took the " + options.tier + " lease on " + s.Describe() +
              (!settled
                   ? std::string(" with a conditional write (no settle wait)")
                   : " after a settle wait of " + std::to_string(options.settle.count()) +
                         " ms and a read-back" +
                         (conditional ? "" : " (the store does not enforce conditional writes)")));
    lease->renewer_ = std::thread([l = lease.get()] { l->RenewLoop(); });
    return lease;
  }
  return Status::LockHeld("the " + options.tier + " lease on " + s.Describe() +
                          " keeps changing hands: another run is starting; try again later");
}

Status RemoteLease::RenewOnce() {
  auto bytes = GetString(*store_, key_);
  if (!bytes.ok() && !bytes.status().Is(ErrorKind::kNotFound)) return bytes.status();
  if (bytes.ok()) {
    auto read = DecodeLease(*bytes, key_);
    if (read.ok() && read->holder.run_id != me_.run_id) {
      lost_ = true;
      return Status::LockHeld("lost the " + options_.tier + " lease on " + store_->Describe() +
                              " to " + read->holder.Describe());
    }
  }
  LeaseRecord mine{me_, options_.tier, Now(), Now() + options_.ttl.count() * 1000000};
  PutOptions po;
  po.content_type = "application/json";
  auto put = PutString(*store_, key_, EncodeLease(mine), po);
  if (!put.ok()) return put.status();
  std::lock_guard lock(mu_);
  expiry_ns_ = mine.expiry_ns;
  return Status::Ok();
}

void RemoteLease::RenewLoop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    if (stop_cv_.wait_for(lock, options_.renew_interval, [this] { return stopping_; })) break;
    lock.unlock();
    Status st = RenewOnce();
    lock.lock();
    if (st.ok()) continue;
    if (lost_) {
      log::Error(st.message() + ": stopping the run is the safe choice");
      break;
    }
    if (Now() > expiry_ns_) {
      lost_ = true;
      log::Error("could not renew the " + options_.tier + " lease on " + store_->Describe() +
                 " before it expired: " + st.message());
      break;
    }
    log::Warn("could not renew the " + options_.tier + " lease (will retry): " + st.message());
  }
}

Status RemoteLease::Release() {
  {
    std::lock_guard lock(mu_);
    if (released_) return Status::Ok();
    released_ = true;
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (renewer_.joinable()) renewer_.join();
  auto bytes = GetString(*store_, key_);
  if (bytes.status().Is(ErrorKind::kNotFound)) return Status::Ok();
  if (!bytes.ok()) return bytes.status().WithContext("cannot release lease '" + key_ + "'");
  auto read = DecodeLease(*bytes, key_);
  if (read.ok() && read->holder.run_id != me_.run_id) {
    log::Warn("not removing lease '" + key_ + "': it now belongs to " + read->holder.Describe());
    return Status::Ok();
  }
  return store_->Remove(key_).WithContext("cannot remove lease '" + key_ + "'");
}

RemoteLease::~RemoteLease() {
  Status st = Release();
  if (!st.ok()) log::Warn(st.message() + " (it will expire by itself)");
}

}  // namespace dredge
