#include "store/aws/imds_provider.h"

#include <cctype>

#include "common/log.h"
#include "store/aws/service_http.h"

namespace dredge::aws {
namespace {

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

constexpr char kAdvice[] =
    "check that this EC2 instance has an instance profile (IAM role) attached and that "
    "IMDSv2 is enabled with a hop limit that reaches this process (2 inside containers)";

}  // namespace

bool ImdsDisabled(const AwsContext& ctx) {
  return Lower(ctx.Var("AWS_EC2_METADATA_DISABLED")) == "true";
}

ImdsProvider::ImdsProvider(AwsContext ctx)
    : ctx_(std::move(ctx)), http_(MakeServiceClient(ctx_, 1000)) {
  endpoint_ = ctx_.Var("AWS_EC2_METADATA_SERVICE_ENDPOINT");
  if (endpoint_.empty())
    endpoint_ = Lower(ctx_.Var("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE")) == "ipv6"
                    ? "http://[fd00:ec2::254]"
                    : "http://169.254.169.254";
  while (!endpoint_.empty() && endpoint_.back() == '/') endpoint_.pop_back();
}

std::string ImdsProvider::Describe() const {
  std::lock_guard lock(mu_);
  return role_.empty() ? "instance metadata" : "instance metadata (role " + role_ + ")";
}

Result<AwsCredentials> ImdsProvider::Get() {
  const std::string what = "instance metadata at " + endpoint_;
  DREDGE_ASSIGN_OR_RETURN(s3::HttpResponse tok,
                          Call(*http_, "PUT", endpoint_ + "/latest/api/token",
                               {{"X-aws-ec2-metadata-token-ttl-seconds", "21600"}}, "",
                               "asking " + what + " for a token"));
  if (tok.status != 200) return ServiceFailure(tok, "the IMDSv2 token request to " + what, kAdvice);
  const std::string token = tok.body;
  log::RegisterSecret(token);
  s3::HeaderList auth{{"X-aws-ec2-metadata-token", token}};
  const std::string base = endpoint_ + "/latest/meta-data/iam/security-credentials/";
  DREDGE_ASSIGN_OR_RETURN(s3::HttpResponse roles,
                          Call(*http_, "GET", base, auth, "", "asking " + what + " for the role"));
  if (roles.status != 200) return ServiceFailure(roles, "the role request to " + what, kAdvice);
  std::string role = roles.body.substr(0, roles.body.find_first_of("\r\n"));
  if (role.empty()) return Status::Usage(what + " lists no IAM role for this instance: " + kAdvice);
  {
    std::lock_guard lock(mu_);
    role_ = role;
  }
  DREDGE_ASSIGN_OR_RETURN(s3::HttpResponse creds,
                          Call(*http_, "GET", base + s3::UriEncode(role, false), auth, "",
                               "asking " + what + " for the credentials of role " + role));
  if (creds.status != 200)
    return ServiceFailure(creds, "the credentials request to " + what, kAdvice);
  return ParseCredentialJson(creds.body, what + " (role " + role + ")");
}

}  // namespace dredge::aws
