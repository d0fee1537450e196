// Finding out whether the server honours If-None-Match: * (see s3_store.h, capabilities()),
// once per endpoint and bucket, remembered on this machine.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include <nlohmann/json.hpp>

#include "common/cache_dir.h"
#include "common/hash.h"
#include "common/log.h"
#include "common/time_util.h"
#include "store/s3/s3_store.h"

namespace dredge {
namespace {

constexpr int64_t kRememberSeconds = 7 * 24 * 3600;

std::string ProbeKey() {
  static const char* hex = "0123456789abcdef";
  std::random_device rd;
  std::mt19937_64 rng(rd() ^ static_cast<uint64_t>(NowUnixNanos()) ^
                      static_cast<uint64_t>(::getpid()));
  std::string out = ".dredge/check/conditional-put-";
  for (int i = 0; i < 16; ++i) out.push_back(hex[rng() % 16]);
  return out;
}

struct CacheEntry {
  std::string path, endpoint, bucket;
};

std::optional<bool> ReadRemembered(const CacheEntry& e, int64_t now_s) {
  std::ifstream in(e.path);
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  auto j = nlohmann::json::parse(ss.str(), nullptr, false);
  if (!j.is_object() || j.value("format", "") != "dredge-s3-capabilities" ||
      j.value("endpoint", "") != e.endpoint || j.value("bucket", "") != e.bucket ||
      !j.contains("conditional_put") || !j["conditional_put"].is_boolean())
    return std::nullopt;
  int64_t probed = j.value("probed_unix", int64_t{0});
  if (probed > now_s || now_s - probed > kRememberSeconds) return std::nullopt;
  return j["conditional_put"].get<bool>();
}

// Best effort: a cache that cannot be written costs one more probe next run.
void Remember(const CacheEntry& e, bool conditional_put, int64_t now_s) {
  namespace fs = std::filesystem;
  nlohmann::ordered_json j = {{"format", "dredge-s3-capabilities"},
                              {"version", 1},
                              {"endpoint", e.endpoint},
                              {"bucket", e.bucket},
                              {"conditional_put", conditional_put},
                              {"probed", FormatIsoUtc(now_s)},
                              {"probed_unix", now_s}};
  std::error_code ec;
  fs::create_directories(fs::path(e.path).parent_path(), ec);
  const std::string tmp = e.path + ".tmp" + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << j.dump(2) << "\n";
    if (!out) {
      log::Debug("cannot remember the S3 probe answer in " + e.path);
      fs::remove(tmp, ec);
      return;
    }
  }
  fs::rename(tmp, e.path, ec);
  if (ec) fs::remove(tmp, ec);
}

}  // namespace

Result<bool> S3Store::ProbeConditionalPut() {
  const std::string key = ProbeKey();
  PutOptions po;
  po.if_absent = true;
  po.content_type = "text/plain";
  const std::string body = "dredge probe: does this server honour If-None-Match: *?\n";
  auto first = PutString(*this, key, body, po);
  if (!first.ok()) return first.status().WithContext("cannot write the probe '" + key + "'");
  auto second = PutString(*this, key, body, po);
  Status removed = Remove(key);
  if (!removed.ok())
    log::Warn("could not remove the probe object '" + key + "' from " + describe_ + " (" +
              removed.message() + "): delete it by hand");
  if (second.status().Is(ErrorKind::kPreconditionFailed)) return true;
  if (!second.ok())
    log::Debug("a conditional PUT of '" + key + "' failed (" + second.status().message() +
               "): treating If-None-Match as not honoured");
  return false;
}

namespace {

CacheEntry EntryFor(const s3::S3Location& loc) {
  CacheEntry e;
  e.endpoint = loc.scheme + "://" + loc.authority + loc.base_path;
  e.bucket = loc.bucket;
  e.path = DredgeCacheDir() + "/s3-capabilities/" +
           Sha256Hex(e.endpoint + "\n" + e.bucket).substr(0, 16) + ".json";
  return e;
}

}  // namespace

void S3Store::RecallCapabilities() {
  std::lock_guard lock(caps_mu_);
  const CacheEntry e = EntryFor(builder_.location());
  conditional_put_ = ReadRemembered(e, config_.clock());
  if (conditional_put_)
    log::Debug(describe_ + (*conditional_put_ ? " honours" : " ignores") +
               " If-None-Match (remembered in " + e.path + ")");
}

void S3Store::DecideCapabilities() {
  std::lock_guard lock(caps_mu_);
  if (conditional_put_) return;
  auto probed = ProbeConditionalPut();
  if (!probed.ok()) {
    log::Info("cannot find out whether " + describe_ + " honours conditional writes (" +
              probed.status().message() + "); assuming it does not");
    return;  // not decided: no proof either way, so capabilities() says false
  }
  conditional_put_ = *probed;
  Remember(EntryFor(builder_.location()), *probed, config_.clock());
  log::Info(describe_ + (*probed ? " honours" : " ignores") +
            " conditional writes (If-None-Match: *)" +
            (*probed ? "" : ": the run lease uses a settle wait and read-back instead"));
}

StoreCapabilities S3Store::capabilities() const {
  std::lock_guard lock(caps_mu_);
  return {conditional_put_.value_or(false), false, true};
}

}  // namespace dredge
