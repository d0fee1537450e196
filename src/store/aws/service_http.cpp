#include "store/aws/service_http.h"

#include <expat.h>

#include <cctype>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/log.h"
#include "store/byte_io.h"

namespace dredge::aws {

Result<ParsedUrl> ParseUrl(const std::string& url) {
  auto bad = [&](const std::string& why) {
    return Status::Usage("URL '" + url + "' " + why + ": use http://host[:port]/path");
  };
  auto sep = url.find("://");
  if (sep == std::string::npos) return bad("has no scheme");
  ParsedUrl u;
  u.scheme = url.substr(0, sep);
  for (char& c : u.scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (u.scheme != "http" && u.scheme != "https") return bad("is not http or https");
  std::string rest = url.substr(sep + 3);
  auto slash = rest.find_first_of("/?");
  u.authority = rest.substr(0, slash);
  u.path = slash == std::string::npos ? "/" : rest.substr(slash);
  if (u.path[0] == '?') u.path = "/" + u.path;
  if (u.authority.empty() || u.authority.find('@') != std::string::npos)
    return bad("needs a host (and no user:password@ part)");
  std::string host = u.authority;
  if (host[0] == '[') {
    auto close = host.find(']');
    if (close == std::string::npos) return bad("has an unclosed IPv6 bracket");
    host = host.substr(1, close - 1);
  } else if (auto colon = host.rfind(':'); colon != std::string::npos) {
    host = host.substr(0, colon);
  }
  for (char& c : host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  u.host = host;
  return u;
}

std::string ServiceEndpoint(const AwsContext& ctx, const std::string& service_id,
                            const std::string& fallback) {
  std::string e = ctx.Var("AWS_ENDPOINT_URL_" + service_id);
  if (e.empty()) e = ctx.Var("AWS_ENDPOINT_URL");
  if (e.empty()) e = ctx.endpoint_url;
  if (e.empty()) e = fallback;
  while (!e.empty() && e.back() == '/') e.pop_back();
  return e;
}

std::unique_ptr<s3::HttpClient> MakeServiceClient(const AwsContext& ctx, long connect_timeout_ms) {
  s3::HttpClientOptions o;
  o.ca_bundle = ctx.ca_bundle;
  o.connect_timeout_ms = connect_timeout_ms;
  o.low_speed_time_s = 10;
  o.max_idle_handles = 2;
  o.max_buffered_body = 1u << 20;
  return std::make_unique<s3::HttpClient>(o);
}

Result<s3::HttpResponse> Call(s3::HttpClient& http, const std::string& method,
                              const std::string& url, s3::HeaderList headers,
                              const std::string& body, const std::string& what) {
  MemorySource src(body);
  s3::HttpRequest req;
  req.method = method;
  req.url = url;
  req.headers = std::move(headers);
  req.body = body.empty() ? nullptr : &src;
  auto r = http.Perform(req);
  if (!r.ok()) return r.status().WithContext(what);
  return r;
}

namespace {

struct LeafParser {
  std::map<std::string, std::string> out;
  std::vector<std::string> names;
  std::string text;
  bool leaf = false;
};

std::string LocalName(const char* name) {
  std::string n(name);
  auto colon = n.rfind(':');  // expat without namespaces: "ns:Name"
  return colon == std::string::npos ? n : n.substr(colon + 1);
}

}  // namespace

Result<std::map<std::string, std::string>> XmlLeafTexts(const std::string& xml) {
  LeafParser p;
  XML_Parser parser = XML_ParserCreate(nullptr);
  XML_SetUserData(parser, &p);
  XML_SetElementHandler(
      parser,
      [](void* ud, const char* name, const char**) {
        auto* p = static_cast<LeafParser*>(ud);
        p->names.push_back(LocalName(name));
        p->text.clear();
        p->leaf = true;
      },
      [](void* ud, const char*) {
        auto* p = static_cast<LeafParser*>(ud);
        if (p->leaf && !p->names.empty()) p->out[p->names.back()] = p->text;
        if (!p->names.empty()) p->names.pop_back();
        p->leaf = false;
        p->text.clear();
      });
  XML_SetCharacterDataHandler(parser, [](void* ud, const char* s, int len) {
    static_cast<LeafParser*>(ud)->text.append(s, static_cast<size_t>(len));
  });
  const bool ok = XML_Parse(parser, xml.data(), static_cast<int>(xml.size()), /*isFinal=*/1) !=
                  XML_STATUS_ERROR;
  XML_ParserFree(parser);
  if (!ok) return Status::Corrupt("the answer is not well-formed XML");
  return std::move(p.out);
}

std::string DescribeServiceError(const s3::HttpResponse& resp) {
  std::string code, message;
  if (auto leaves = XmlLeafTexts(resp.body); leaves.ok()) {
    code = (*leaves)["Code"];
    message = (*leaves)["Message"];
  } else {
    auto j = nlohmann::json::parse(resp.body, nullptr, false);
    if (j.is_object()) {
      if (j.contains("message") && j["message"].is_string()) message = j["message"];
      if (j.contains("Message") && j["Message"].is_string()) message = j["Message"];
      if (j.contains("Code") && j["Code"].is_string()) code = j["Code"];
    }
    if (code.empty()) code = resp.Header("x-amzn-errortype");
  }
  std::string out = "HTTP " + std::to_string(resp.status);
  if (!code.empty()) out += " " + code;
  if (!message.empty()) out += ": " + message;
  return out;
}

Status ServiceFailure(const s3::HttpResponse& resp, const std::string& what,
                      const std::string& advice) {
  std::string m = what + " was refused (" + DescribeServiceError(resp) + ")";
  if (!advice.empty()) m += ": " + advice;
  if (resp.status >= 500 || resp.status == 429) return Status::Retryable(m);
  return Status::Permanent(m);
}

}  // namespace dredge::aws

namespace dredge::aws {

Result<AwsCredentials> ParseCredentialJson(const std::string& body, const std::string& what) {
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (!j.is_object()) return Status::Corrupt("the answer of " + what + " is not a JSON object");
  auto str = [&](const char* k) {
    return j.contains(k) && j[k].is_string() ? j[k].get<std::string>() : std::string();
  };
  AwsCredentials c{TakeKeys(str("AccessKeyId"), str("SecretAccessKey"), str("Token")), 0};
  if (!str("Code").empty() && str("Code") != "Success")
    return Status::Permanent(what + " answered with code " + str("Code") + ": " + str("Message"));
  if (c.keys.access_key_id.empty() || c.keys.secret_access_key.empty())
    return Status::Corrupt("the answer of " + what + " has no AccessKeyId/SecretAccessKey");
  if (!str("Expiration").empty()) {
    DREDGE_ASSIGN_OR_RETURN(c.expires_ms, ParseExpiryMs(str("Expiration")));
  }
  return c;
}

}  // namespace dredge::aws
