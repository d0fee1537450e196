#include "store/aws/assume_role_provider.h"

#include <fstream>
#include <sstream>

#include "common/log.h"
#include "store/aws/service_http.h"

namespace dredge::aws {

AssumeRoleProvider::AssumeRoleProvider(AwsContext ctx, AssumeRoleParams params, ProviderPtr source,
                                       std::string source_name)
    : ctx_(std::move(ctx)),
      params_(std::move(params)),
      source_(std::move(source)),
      source_name_(std::move(source_name)),
      http_(MakeServiceClient(ctx_, 5000)) {}

Result<AwsCredentials> AssumeRoleProvider::Get() {
  auto src = source_->Get();
  if (!src.ok())
    return src.status().WithContext("getting the " + source_name_ + " credentials to assume " +
                                    params_.role_arn);
  return StsAssumeRole(*http_, ctx_, params_, src->keys);
}

std::string AssumeRoleProvider::Describe() const {
  return "assume role (role " + params_.role_arn + ", " + source_name_ + ")";
}

WebIdentityProvider::WebIdentityProvider(AwsContext ctx, AssumeRoleParams params,
                                         std::string token_file)
    : ctx_(std::move(ctx)),
      params_(std::move(params)),
      token_file_(std::move(token_file)),
      http_(MakeServiceClient(ctx_, 5000)) {}

Result<AwsCredentials> WebIdentityProvider::Get() {
  std::ifstream in(token_file_, std::ios::binary);
  if (!in)
    return Status::Usage("cannot read the web identity token file '" + token_file_ +
                         "' (AWS_WEB_IDENTITY_TOKEN_FILE or web_identity_token_file): check "
                         "the path and that the service account token is mounted");
  std::stringstream ss;
  ss << in.rdbuf();
  std::string token = ss.str();
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r' || token.back() == ' '))
    token.pop_back();
  log::RegisterSecret(token);
  if (token.empty())
    return Status::Usage("the web identity token file '" + token_file_ + "' is empty");
  return StsAssumeRoleWithWebIdentity(*http_, ctx_, params_, token);
}

std::string WebIdentityProvider::Describe() const {
  return "web identity (role " + params_.role_arn + ")";
}

}  // namespace dredge::aws
