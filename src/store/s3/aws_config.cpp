#include "store/s3/aws_config.h"

#include "store/aws/credential_chain.h"
#include "store/aws/shared_config.h"

namespace dredge::s3 {

Result<AwsConfig> LoadAwsConfig(const StoreOptions& opts, const EnvFn& env) {
  aws::AwsContext ctx;
  ctx.env = env;
  const aws::SharedConfig files = aws::LoadSharedConfig(ctx);
  const std::string profile = aws::ActiveProfileName(opts.profile, ctx);
  const std::optional<aws::IniSection> config_section = [&]() -> std::optional<aws::IniSection> {
    auto it = files.profiles.find(profile);
    if (it == files.profiles.end()) return std::nullopt;
    return it->second;
  }();
  auto first = [](std::initializer_list<std::string> values) {
    for (const auto& v : values)
      if (!v.empty()) return v;
    return std::string();
  };
  AwsConfig cfg;
  cfg.endpoint_url =
      first({opts.endpoint_url, ctx.Var("AWS_ENDPOINT_URL_S3"), ctx.Var("AWS_ENDPOINT_URL"),
             aws::Value(config_section, "endpoint_url")});
  cfg.region = first({opts.region, ctx.Var("AWS_REGION"), ctx.Var("AWS_DEFAULT_REGION"),
                      aws::Value(config_section, "region"), "us-east-1"});
  cfg.ca_bundle =
      first({opts.ca_bundle, ctx.Var("AWS_CA_BUNDLE"), aws::Value(config_section, "ca_bundle")});

  ctx.region = cfg.region;
  ctx.ca_bundle = cfg.ca_bundle;
  ctx.endpoint_url = aws::Value(config_section, "endpoint_url");
  ctx.sts_regional = aws::Value(config_section, "sts_regional_endpoints");
  DREDGE_ASSIGN_OR_RETURN(cfg.credentials, aws::ResolveCredentialChain(opts.profile, ctx, files));
  cfg.credentials_source = cfg.credentials->Describe();
  return cfg;
}

aws::ProviderPtr StaticCredentials(Credentials keys, std::string description) {
  return std::make_shared<aws::StaticProvider>(std::move(keys), std::move(description));
}

}  // namespace dredge::s3
