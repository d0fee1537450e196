#include "store/aws/sts.h"

#include <set>

#include "common/hash.h"
#include "common/log.h"
#include "store/aws/service_http.h"

namespace dredge::aws {
namespace {

// The regions whose STS answered at sts.amazonaws.com before regional endpoints became the
// default (what AWS_STS_REGIONAL_ENDPOINTS=legacy keeps).
const std::set<std::string>& LegacyGlobalRegions() {
  static const std::set<std::string> r = {
      "ap-northeast-1", "ap-south-1",   "ap-southeast-1", "ap-southeast-2",
      "aws-global",     "ca-central-1", "eu-central-1",   "eu-north-1",
      "eu-west-1",      "eu-west-2",    "eu-west-3",      "sa-east-1",
      "us-east-1",      "us-east-2",    "us-west-1",      "us-west-2"};
  return r;
}

std::string FormBody(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string out;
  for (const auto& [k, v] : fields)
    out += (out.empty() ? "" : "&") + s3::UriEncode(k, false) + "=" + s3::UriEncode(v, false);
  return out;
}

std::vector<std::pair<std::string, std::string>> CommonFields(const std::string& action,
                                                              const AssumeRoleParams& p,
                                                              const AwsContext& ctx) {
  std::vector<std::pair<std::string, std::string>> f = {
      {"Action", action},
      {"Version", "2011-06-15"},
      {"RoleArn", p.role_arn},
      {"RoleSessionName",
       p.session_name.empty() ? "dredge-" + std::to_string(ctx.NowMs()) : p.session_name}};
  if (p.duration_seconds > 0) f.emplace_back("DurationSeconds", std::to_string(p.duration_seconds));
  return f;
}

Result<AwsCredentials> ParseStsAnswer(const s3::HttpResponse& resp, const std::string& what) {
  if (resp.status != 200)
    return ServiceFailure(resp, what,
                          "check that the role exists and trusts these credentials "
                          "(its trust policy), and the STS endpoint");
  auto leaves = XmlLeafTexts(resp.body);
  if (!leaves.ok()) return leaves.status().WithContext("reading the answer to " + what);
  AwsCredentials c{
      TakeKeys((*leaves)["AccessKeyId"], (*leaves)["SecretAccessKey"], (*leaves)["SessionToken"]),
      0};
  if (c.keys.access_key_id.empty() || c.keys.secret_access_key.empty())
    return Status::Corrupt("the answer to " + what + " has no AccessKeyId/SecretAccessKey");
  const std::string exp = (*leaves)["Expiration"];
  if (!exp.empty()) {
    DREDGE_ASSIGN_OR_RETURN(c.expires_ms, ParseExpiryMs(exp));
  }
  return c;
}

Result<s3::HttpResponse> PostSts(s3::HttpClient& http, const AwsContext& ctx,
                                 const std::string& body, const s3::Credentials* signer,
                                 const std::string& what) {
  StsEndpoint ep = ResolveStsEndpoint(ctx);
  DREDGE_ASSIGN_OR_RETURN(ParsedUrl url, ParseUrl(ep.url));
  s3::HeaderList headers = {{"Host", url.authority},
                            {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
  if (signer) {
    s3::SigningInput in{"POST", url.path, {}, headers, Sha256Hex(body)};
    s3::SigningResult sig = s3::SignV4(in, *signer, ep.signing_region, "sts", ctx.NowMs() / 1000);
    for (auto& h : sig.add_headers) headers.push_back(std::move(h));
    headers.emplace_back("Authorization", std::move(sig.authorization));
  }
  return Call(http, "POST", ep.url, std::move(headers), body, what + " at " + ep.url);
}

}  // namespace

StsEndpoint ResolveStsEndpoint(const AwsContext& ctx) {
  const std::string region = ctx.region.empty() ? "us-east-1" : ctx.region;
  std::string mode = ctx.Var("AWS_STS_REGIONAL_ENDPOINTS");
  if (mode.empty()) mode = ctx.sts_regional;
  std::string fallback;
  std::string signing = region;
  if (mode == "legacy" && LegacyGlobalRegions().count(region)) {
    fallback = "https://sts.amazonaws.com";
    signing = "us-east-1";
  } else {
    fallback = "https://sts." + region +
               (region.rfind("cn-", 0) == 0 ? ".amazonaws.com.cn" : ".amazonaws.com");
  }
  std::string url = ServiceEndpoint(ctx, "STS", fallback);
  if (url != fallback) signing = region;
  return {url, signing};
}

Result<AwsCredentials> StsAssumeRole(s3::HttpClient& http, const AwsContext& ctx,
                                     const AssumeRoleParams& params,
                                     const s3::Credentials& source) {
  auto fields = CommonFields("AssumeRole", params, ctx);
  if (!params.external_id.empty()) fields.emplace_back("ExternalId", params.external_id);
  const std::string what = "STS AssumeRole of " + params.role_arn;
  DREDGE_ASSIGN_OR_RETURN(s3::HttpResponse resp,
                          PostSts(http, ctx, FormBody(fields), &source, what));
  return ParseStsAnswer(resp, what);
}

Result<AwsCredentials> StsAssumeRoleWithWebIdentity(s3::HttpClient& http, const AwsContext& ctx,
                                                    const AssumeRoleParams& params,
                                                    const std::string& token) {
  auto fields = CommonFields("AssumeRoleWithWebIdentity", params, ctx);
  fields.emplace_back("WebIdentityToken", token);
  const std::string what = "STS AssumeRoleWithWebIdentity of " + params.role_arn;
  DREDGE_ASSIGN_OR_RETURN(s3::HttpResponse resp,
                          PostSts(http, ctx, FormBody(fields), nullptr, what));
  return ParseStsAnswer(resp, what);
}

}  // namespace dredge::aws
