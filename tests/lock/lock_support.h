// Helpers for the Object Lock tests: a StoreE2E whose destination is a fresh prefix of moto's
// Object Lock bucket, a driver on the same prefix to look at what was written, and raw
// requests sent with the backup's own credentials (the "compromised machine").
#pragma once

#include <cstdlib>
#include <ctime>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/hash.h"
#include "s3/s3_test_env.h"
#include "store/http/http_client.h"
#include "store/s3/s3_request.h"
#include "support/store_e2e.h"

namespace dredge::testing {

class LockE2E : public StoreE2E {
 protected:
  void SetUp() override {
    StoreE2E::SetUp();
    bucket_ = MotoEnv()["DREDGE_TEST_MOTO_BUCKET_LOCK"];
    dest_ = "s3://" + bucket_ + "/" + prefix_;
  }
  // The driver on this test's prefix of the lock bucket.
  std::shared_ptr<S3Store> Driver() const {
    auto s = OpenS3WithEnv(bucket_ + "/" + prefix_, {}, MotoTestEnv());
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? *s : nullptr;
  }
  // Every object under the prefix, with Stat's details (version id, lock).
  std::vector<ObjectInfo> Objects() const {
    auto s = Driver();
    std::vector<ObjectInfo> out;
    EXPECT_TRUE(s->List("", [&](const ObjectInfo& o) {
                   auto info = s->Stat(o.key);
                   EXPECT_TRUE(info.ok()) << info.status().ToString();
                   if (info.ok()) out.push_back(*info);
                   return Status::Ok();
                 }).ok());
    return out;
  }
  // Sends one request built with the backup's credentials and returns its HTTP status.
  int Send(const std::function<s3::HttpRequest(const s3::RequestBuilder&)>& build) const {
    auto loc = s3::ResolveLocation(endpoint_, bucket_, "", "us-east-1", false);
    EXPECT_TRUE(loc.ok());
    s3::RequestBuilder b(*loc, "us-east-1", s3::Credentials{"S3RVER", "S3RVER", ""}, {},
                         [] { return static_cast<int64_t>(std::time(nullptr)); });
    s3::HttpClient http({});
    auto r = http.Perform(build(b));
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    last_body_ = r.ok() ? r->body : "";
    return r.ok() ? r->status : -1;
  }
  // PutObjectRetention (PUT ?retention&versionId=) with `xml`; dredge itself never sends it
  // yet, so it is built here, unsigned: moto does not check signatures (its answer to a
  // locked version is what is under test).
  int PutRetention(const std::string& full_key, const std::string& version_id,
                   const std::string& xml) const {
    MemorySource body(xml);
    s3::HttpRequest req;
    req.method = "PUT";
    req.url = endpoint_ + "/" + bucket_ + "/" + full_key + "?retention&versionId=" + version_id;
    req.headers = {{"Content-Type", "application/xml"},
                   {"Content-MD5", Base64Encode(FromHex(Md5Hex(xml)).value())}};
    req.body = &body;
    s3::HttpClient http({});
    auto r = http.Perform(req);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    last_body_ = r.ok() ? r->body : "";
    return r.ok() ? r->status : -1;
  }
  std::string Full(const std::string& key) const { return prefix_ + "/" + key; }
  mutable std::string last_body_;
};

// Points the dredge binaries this process runs (testing::RunDredge) at moto's server.
inline void UseMotoForDredge() {
  setenv("AWS_ACCESS_KEY_ID", "S3RVER", 1);
  setenv("AWS_SECRET_ACCESS_KEY", "S3RVER", 1);
  setenv("AWS_REGION", "us-east-1", 1);
  setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
  setenv("AWS_ENDPOINT_URL", MotoEnv()["DREDGE_TEST_MOTO_ENDPOINT"].c_str(), 1);
}

}  // namespace dredge::testing
