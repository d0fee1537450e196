// Finding a bucket's region from S3's answers, as the AWS SDKs and aws-cli do, instead of
// trusting a guessed one (AWS_REGION, the profile, us-east-1).
//
// Contract:
//  - IsRegionRedirect: true for an answer that says "this bucket lives in another region": a
//    301, 302 or 307; an error body PermanentRedirect; AuthorizationHeaderMalformed naming a
//    <Region>; or a bodiless HEAD answer 400 carrying x-amz-bucket-region (HEAD answers have no
//    body, so the header is all AWS sends).
//  - RegionFromAnswer: the x-amz-bucket-region header, else the error body's <Region>, else ""
//    (also for a value that is not a region name: lower-case letters, digits and '-').
//  - The remembered regions live for the process (the run): RememberBucketRegion records what
//    S3 said for an endpoint and bucket; RememberedBucketRegion returns it ("" when none), so a
//    store opened later in the run starts in the right region. Thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "store/http/http_client.h"

namespace dredge::s3 {

bool IsRegionRedirect(const HttpResponse& resp, std::string_view method);
std::string RegionFromAnswer(const HttpResponse& resp);

void RememberBucketRegion(const std::string& endpoint, const std::string& bucket,
                          const std::string& region);
std::string RememberedBucketRegion(const std::string& endpoint, const std::string& bucket);

}  // namespace dredge::s3
