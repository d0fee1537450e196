#include "store/aws/credential_chain.h"

#include <algorithm>
#include <vector>

#include "store/aws/assume_role_provider.h"
#include "store/aws/container_provider.h"
#include "store/aws/imds_provider.h"
#include "store/aws/process_provider.h"
#include "store/aws/refreshing_provider.h"
#include "store/aws/sso_provider.h"

namespace dredge::aws {
namespace {

std::optional<s3::Credentials> EnvKeys(const AwsContext& ctx) {
  std::string id = ctx.Var("AWS_ACCESS_KEY_ID"), secret = ctx.Var("AWS_SECRET_ACCESS_KEY");
  if (id.empty() || secret.empty()) return std::nullopt;
  return s3::Credentials{id, secret, ctx.Var("AWS_SESSION_TOKEN")};
}

// Follows one profile to a provider; nullptr when the profile holds no credentials at all.
class ProfileResolver {
 public:
  ProfileResolver(const AwsContext& ctx, const SharedConfig& files) : ctx_(ctx), files_(files) {}

  Result<ProviderPtr> Resolve(const std::string& name, const IniSection& s,
                              std::vector<std::string> visited) {
    visited.push_back(name);
    std::optional<IniSection> p = s;
    if (!Value(p, "role_arn").empty()) return AssumeRole(name, p, visited);
    if (!Value(p, "sso_session").empty() || !Value(p, "sso_start_url").empty()) {
      DREDGE_ASSIGN_OR_RETURN(SsoSettings sso, ReadSsoSettings(files_, name, s));
      return ProviderPtr(std::make_shared<SsoProvider>(ctx_, sso));
    }
    if (auto keys = StaticKeys(p))
      return ProviderPtr(std::make_shared<StaticProvider>(*keys, "profile " + name));
    if (std::string cmd = Value(p, "credential_process"); !cmd.empty())
      return ProviderPtr(std::make_shared<ProcessProvider>(cmd, name));
    return ProviderPtr();
  }

 private:
  static std::optional<s3::Credentials> StaticKeys(const std::optional<IniSection>& p) {
    std::string id = Value(p, "aws_access_key_id"), secret = Value(p, "aws_secret_access_key");
    if (id.empty() || secret.empty()) return std::nullopt;
    return s3::Credentials{id, secret, Value(p, "aws_session_token")};
  }

  Result<ProviderPtr> AssumeRole(const std::string& name, const std::optional<IniSection>& p,
                                 const std::vector<std::string>& visited) {
    AssumeRoleParams params{Value(p, "role_arn"), Value(p, "role_session_name"),
                            Value(p, "external_id"), 0};
    if (!Value(p, "mfa_serial").empty())
      return Status::Usage("profile " + name + " assumes " + params.role_arn +
                           " with mfa_serial: dredge runs unattended and cannot ask for an MFA "
                           "code; use a role whose trust policy does not require MFA, or run "
                           "with credentials from `aws sts get-session-token` in the "
                           "environment");
    if (std::string d = Value(p, "duration_seconds"); !d.empty()) {
      char* end = nullptr;
      long v = std::strtol(d.c_str(), &end, 10);
      if (*end != '\0' || v < 900 || v > 43200)
        return Status::Usage("duration_seconds '" + d + "' in profile " + name +
                             " must be a number of seconds from 900 to 43200");
      params.duration_seconds = static_cast<int>(v);
    }
    if (std::string file = Value(p, "web_identity_token_file"); !file.empty())
      return ProviderPtr(std::make_shared<WebIdentityProvider>(ctx_, params, file));
    const std::string src = Value(p, "source_profile"), cs = Value(p, "credential_source");
    if (!src.empty() && !cs.empty())
      return Status::Usage("profile " + name +
                           " has both source_profile and credential_source: keep one");
    ProviderPtr source;
    std::string source_name;
    if (!src.empty()) {
      DREDGE_ASSIGN_OR_RETURN(source, SourceProfile(name, p, src, visited));
      source_name = "source profile " + src;
    } else if (!cs.empty()) {
      DREDGE_ASSIGN_OR_RETURN(source, CredentialSource(name, cs));
      source_name = "credential source " + cs;
    } else {
      return Status::Usage("profile " + name +
                           " has role_arn but neither source_profile, "
                           "credential_source nor web_identity_token_file: add one");
    }
    return ProviderPtr(std::make_shared<AssumeRoleProvider>(
        ctx_, params, WithRefresh(source, [c = ctx_] { return c.NowMs(); }), source_name));
  }

  Result<ProviderPtr> SourceProfile(const std::string& name, const std::optional<IniSection>& p,
                                    const std::string& src,
                                    const std::vector<std::string>& visited) {
    if (src == name) {  // a role profile may sign with its own static keys
      if (auto keys = StaticKeys(p))
        return ProviderPtr(std::make_shared<StaticProvider>(*keys, "profile " + name));
    }
    if (std::find(visited.begin(), visited.end(), src) != visited.end()) {
      std::string loop;
      for (const auto& v : visited) loop += v + " -> ";
      return Status::Usage("the source_profile settings form a loop (" + loop + src +
                           "): end the chain at a profile with keys or a credential_source");
    }
    auto section = files_.Profile(src);
    if (!section)
      return Status::Usage("profile " + name + " names source_profile " + src +
                           ", which is in neither " + files_.Describe());
    DREDGE_ASSIGN_OR_RETURN(ProviderPtr provider, Resolve(src, *section, visited));
    if (!provider)
      return Status::Usage("source profile " + src + " (of profile " + name +
                           ") holds no credentials: give it keys, a role or a credential_process");
    return provider;
  }

  Result<ProviderPtr> CredentialSource(const std::string& name, const std::string& cs) {
    if (cs == "Environment") {
      auto keys = EnvKeys(ctx_);
      if (!keys)
        return Status::Usage("profile " + name +
                             " has credential_source = Environment but "
                             "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not both set");
      return ProviderPtr(std::make_shared<StaticProvider>(*keys, "environment"));
    }
    if (cs == "Ec2InstanceMetadata") return ProviderPtr(std::make_shared<ImdsProvider>(ctx_));
    if (cs == "EcsContainer") {
      DREDGE_ASSIGN_OR_RETURN(auto c, ContainerProvider::Create(ctx_));
      return ProviderPtr(c);
    }
    return Status::Usage("credential_source '" + cs + "' in profile " + name +
                         " is not one of Environment, Ec2InstanceMetadata, EcsContainer");
  }

  const AwsContext& ctx_;
  const SharedConfig& files_;
};

Result<ProviderPtr> Ready(ProviderPtr chosen, const AwsContext& ctx) {
  ProviderPtr p = WithRefresh(std::move(chosen), [c = ctx] { return c.NowMs(); });
  auto first = p->Get();
  if (!first.ok())
    return first.status().WithContext("getting AWS credentials from " + p->Describe());
  return p;
}

}  // namespace

Result<ProviderPtr> ResolveCredentialChain(const std::string& explicit_profile,
                                           const AwsContext& ctx, const SharedConfig& files) {
  std::vector<std::string> tried;
  if (explicit_profile.empty()) {
    if (auto keys = EnvKeys(ctx))
      return Ready(std::make_shared<StaticProvider>(*keys, "environment"), ctx);
    tried.push_back("environment (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY not both set)");
  } else {
    tried.push_back("environment (skipped: a profile was named with --profile)");
  }
  const std::string name = ActiveProfileName(explicit_profile, ctx);
  if (auto section = files.Profile(name)) {
    ProfileResolver resolver(ctx, files);
    DREDGE_ASSIGN_OR_RETURN(ProviderPtr p, resolver.Resolve(name, *section, {}));
    if (p) return Ready(p, ctx);
    tried.push_back("profile " + name + " (no keys, role, sso or credential_process in it)");
  } else if (name != "default" || !explicit_profile.empty()) {
    return Status::Usage("AWS profile " + name + " is in neither " + files.Describe() +
                         ": check --profile / AWS_PROFILE, or create it with `aws configure "
                         "--profile " +
                         name + "`");
  } else {
    tried.push_back("profile default (not in " + files.Describe() + ")");
  }
  std::string token_file = ctx.Var("AWS_WEB_IDENTITY_TOKEN_FILE"), role = ctx.Var("AWS_ROLE_ARN");
  if (!token_file.empty() && !role.empty()) {
    AssumeRoleParams params{role, ctx.Var("AWS_ROLE_SESSION_NAME"), "", 0};
    return Ready(std::make_shared<WebIdentityProvider>(ctx, params, token_file), ctx);
  }
  tried.push_back("web identity (AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN not both set)");
  if (ContainerCredentialsConfigured(ctx)) {
    DREDGE_ASSIGN_OR_RETURN(auto c, ContainerProvider::Create(ctx));
    return Ready(c, ctx);
  }
  tried.push_back("container (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and _FULL_URI not set)");
  if (ImdsDisabled(ctx)) {
    tried.push_back("instance metadata (AWS_EC2_METADATA_DISABLED=true)");
  } else {
    // The one source found by asking: outside EC2 nothing answers (1 s connect timeout).
    auto imds = std::make_shared<ImdsProvider>(ctx);
    auto probe = imds->Get();
    if (probe.ok()) return Ready(imds, ctx);
    tried.push_back("instance metadata (" + probe.status().message() + ")");
  }
  std::string list;
  for (size_t i = 0; i < tried.size(); ++i)
    list += (i ? "; " : "") + std::to_string(i + 1) + ". " + tried[i];
  return Status::Usage(
      "no AWS credentials found for the s3:// destination. Tried, in order: " + list +
      ". Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or configure a profile "
      "(docs/s3.md lists every source)");
}

}  // namespace dredge::aws
