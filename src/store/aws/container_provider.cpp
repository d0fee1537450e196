#include "store/aws/container_provider.h"

#include <arpa/inet.h>

#include <fstream>
#include <sstream>

#include "common/log.h"
#include "store/aws/service_http.h"

namespace dredge::aws {
namespace {

bool AllowedFullUriHost(const std::string& host) {
  if (host == "localhost" || host == "169.254.170.2" || host == "169.254.170.23") return true;
  unsigned char buf[16];
  if (inet_pton(AF_INET, host.c_str(), buf) == 1) return buf[0] == 127;
  if (inet_pton(AF_INET6, host.c_str(), buf) == 1) {
    unsigned char loopback[16] = {0};
    loopback[15] = 1;
    unsigned char eks[16] = {0xfd, 0x00, 0x0e, 0xc2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x23};
    return std::equal(buf, buf + 16, loopback) || std::equal(buf, buf + 16, eks);
  }
  return false;
}

}  // namespace

bool ContainerCredentialsConfigured(const AwsContext& ctx) {
  return !ctx.Var("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI").empty() ||
         !ctx.Var("AWS_CONTAINER_CREDENTIALS_FULL_URI").empty();
}

Result<std::shared_ptr<ContainerProvider>> ContainerProvider::Create(AwsContext ctx) {
  std::string rel = ctx.Var("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
  std::string url;
  if (!rel.empty()) {
    url = "http://169.254.170.2" + std::string(rel[0] == '/' ? "" : "/") + rel;
  } else {
    url = ctx.Var("AWS_CONTAINER_CREDENTIALS_FULL_URI");
    DREDGE_ASSIGN_OR_RETURN(ParsedUrl u, ParseUrl(url));
    if (!AllowedFullUriHost(u.host))
      return Status::Usage("AWS_CONTAINER_CREDENTIALS_FULL_URI '" + url + "' points at host '" +
                           u.host +
                           "': container credentials are only fetched from a loopback address "
                           "or 169.254.170.2, 169.254.170.23, fd00:ec2::23");
  }
  return std::shared_ptr<ContainerProvider>(new ContainerProvider(std::move(ctx), url));
}

ContainerProvider::ContainerProvider(AwsContext ctx, std::string url)
    : ctx_(std::move(ctx)), url_(std::move(url)), http_(MakeServiceClient(ctx_, 2000)) {}

Result<AwsCredentials> ContainerProvider::Get() {
  std::string token;
  if (std::string file = ctx_.Var("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"); !file.empty()) {
    std::ifstream in(file, std::ios::binary);
    if (!in)
      return Status::Usage("cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE '" + file +
                           "': check that the pod identity token is mounted");
    std::stringstream ss;
    ss << in.rdbuf();
    token = ss.str();
    while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
  } else {
    token = ctx_.Var("AWS_CONTAINER_AUTHORIZATION_TOKEN");
  }
  log::RegisterSecret(token);
  s3::HeaderList headers{{"Accept", "application/json"}};
  if (!token.empty()) headers.emplace_back("Authorization", token);
  const std::string what = "the container credentials endpoint " + url_;
  DREDGE_ASSIGN_OR_RETURN(s3::HttpResponse resp,
                          Call(*http_, "GET", url_, std::move(headers), "", what));
  if (resp.status != 200)
    return ServiceFailure(resp, what,
                          "check the task role / pod identity association and the "
                          "authorization token variables");
  return ParseCredentialJson(resp.body, what);
}

}  // namespace dredge::aws
