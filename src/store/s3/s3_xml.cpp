#include "store/s3/s3_xml.h"

#include <expat.h>

#include <cctype>
#include <charconv>
#include <functional>

#include "common/time_util.h"

namespace dredge::s3 {
namespace {

// Walks an XML document and reports every element's end with its '/'-joined path below the
// root ("Contents/Key"; "" for the root itself) and its text content; element starts are
// reported too so callers can group repeated children (Contents). Names are local names:
// namespaces are resolved and dropped, so <ETag>, <s3:ETag> and an element in a misspelt
// default namespace all read as "ETag", as the AWS SDKs read them. root() is the root's name.
class XmlWalker {
 public:
  using StartFn = std::function<void(const std::string& path)>;
  using EndFn = std::function<void(const std::string& path, const std::string& text)>;

  XmlWalker(StartFn on_start, EndFn on_end)
      : on_start_(std::move(on_start)), on_end_(std::move(on_end)) {}

  Status Parse(std::string_view xml, const char* what) {
    XML_Parser p = XML_ParserCreateNS("UTF-8", kNsSeparator);
    if (!p) return Status::Io("out of memory creating an XML parser");
    parser_ = p;
    XML_SetUserData(p, this);
    XML_SetElementHandler(p, &Start, &End);
    XML_SetCharacterDataHandler(p, &Text);
    // Never expand entities declared in a DTD (billion laughs): only the predefined ones and
    // character references are decoded.
    XML_SetEntityDeclHandler(p, &RefuseEntityDecl);
    // S3 may send whitespace ahead of the document to keep a long request alive
    // (CompleteMultipartUpload, CopyObject); an XML declaration must come first for expat.
    while (!xml.empty() && (xml.front() == ' ' || xml.front() == '\n' || xml.front() == '\r' ||
                            xml.front() == '\t'))
      xml.remove_prefix(1);
    Status st;
    if (XML_Parse(p, xml.data(), static_cast<int>(xml.size()), XML_TRUE) == XML_STATUS_ERROR) {
      st = Status::Corrupt(std::string("cannot parse the S3 ") + what +
                           " response: " + XML_ErrorString(XML_GetErrorCode(p)) + " at line " +
                           std::to_string(XML_GetCurrentLineNumber(p)));
    }
    XML_ParserFree(p);
    if (st.ok() && !saw_root_)
      st = Status::Corrupt(std::string("the S3 ") + what + " response is empty");
    return st;
  }

  const std::string& root() const { return root_; }

 private:
  // Expat joins "namespace-URI<sep>local-name"; a local name cannot hold '|'.
  static constexpr XML_Char kNsSeparator = '|';

  static void Start(void* ud, const XML_Char* name, const XML_Char**) {
    auto* w = static_cast<XmlWalker*>(ud);
    std::string_view local(name);
    if (auto sep = local.rfind(kNsSeparator); sep != std::string_view::npos)
      local.remove_prefix(sep + 1);
    w->lengths_.push_back(w->path_.size());
    if (!w->saw_root_) {
      w->saw_root_ = true;
      w->root_ = std::string(local);
    } else {
      if (!w->path_.empty()) w->path_.push_back('/');
      w->path_ += local;
    }
    w->text_.clear();
    if (w->on_start_) w->on_start_(w->path_);
  }
  static void End(void* ud, const XML_Char*) {
    auto* w = static_cast<XmlWalker*>(ud);
    if (w->on_end_) w->on_end_(w->path_, w->text_);
    w->text_.clear();
    w->path_.resize(w->lengths_.back());
    w->lengths_.pop_back();
  }
  static void Text(void* ud, const XML_Char* s, int len) {
    static_cast<XmlWalker*>(ud)->text_.append(s, static_cast<size_t>(len));
  }
  static void RefuseEntityDecl(void* ud, const XML_Char*, int, const XML_Char*, int,
                               const XML_Char*, const XML_Char*, const XML_Char*, const XML_Char*) {
    XML_StopParser(static_cast<XmlWalker*>(ud)->parser_, XML_FALSE);
  }

  XML_Parser parser_ = nullptr;
  StartFn on_start_;
  EndFn on_end_;
  std::string root_;
  std::string path_;
  std::vector<size_t> lengths_;
  std::string text_;
  bool saw_root_ = false;
};

// Collects an S3 error from a document's element ends: the root <Error> (S3's REST shape) or
// an <Error> directly under another root (<ErrorResponse><Error>, the query-protocol shape
// some S3-compatible servers use; the SDKs read both).
class ErrorCollector {
 public:
  void OnEnd(const std::string& root, const std::string& path, const std::string& text) {
    std::string_view field = path;
    if (root == "Error") {
      found_ = true;
    } else {
      if (path == "Error") found_ = true;
      if (!field.starts_with("Error/")) return;
      field.remove_prefix(6);
    }
    if (field == "Code") e_.code = text;
    if (field == "Message") e_.message = text;
    if (field == "RequestId") e_.request_id = text;
    if (field == "Region") e_.region = text;
    if (field == "Endpoint") e_.endpoint = text;
  }
  std::optional<S3ErrorBody> error() const {
    if (!found_) return std::nullopt;
    return e_;
  }

 private:
  S3ErrorBody e_;
  bool found_ = false;
};

Result<uint64_t> ParseU64(std::string_view s, const char* what) {
  uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size() || s.empty())
    return Status::Corrupt(std::string("S3 sent a non-numeric ") + what + " '" + std::string(s) +
                           "'");
  return v;
}

// xsd:boolean, as the SDKs read it: "true" in any case.
bool IsTrue(std::string_view text) {
  if (text.size() != 4) return false;
  for (size_t i = 0; i < 4; ++i)
    if (std::tolower(static_cast<unsigned char>(text[i])) != "true"[i]) return false;
  return true;
}

}  // namespace

std::string Unquote(std::string_view etag) {
  while (!etag.empty() && etag.front() == '"') etag.remove_prefix(1);
  while (!etag.empty() && etag.back() == '"') etag.remove_suffix(1);
  return std::string(etag);
}

std::string XmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

Result<std::string> UrlDecode(std::string_view text) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '+') {
      out.push_back(' ');
    } else if (c == '%') {
      int hi = i + 2 < text.size() ? hex(text[i + 1]) : -1;
      int lo = i + 2 < text.size() ? hex(text[i + 2]) : -1;
      if (hi < 0 || lo < 0)
        return Status::InvalidArgument("malformed percent-escape in '" + std::string(text) + "'");
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

Result<int64_t> ParseS3Timestamp(std::string_view text) {
  auto r = ParseIsoTime(text);
  if (!r.ok())
    return Status::Corrupt("S3 sent an unreadable timestamp '" + std::string(text) + "'");
  return *r;
}

std::optional<S3ErrorBody> ParseErrorBody(std::string_view xml) {
  ErrorCollector errors;
  XmlWalker w(nullptr, [&](const std::string& path, const std::string& text) {
    errors.OnEnd(w.root(), path, text);
  });
  if (!w.Parse(xml, "error").ok()) return std::nullopt;
  return errors.error();
}

Result<ListPage> ParseListObjectsV2(std::string_view xml) {
  ListPage page;
  bool url_encoded = false;
  Status bad;
  ListedObject cur;
  XmlWalker w(
      [&](const std::string& path) {
        if (path == "Contents") cur = ListedObject{};
      },
      [&](const std::string& path, const std::string& text) {
        if (!bad.ok()) return;
        if (path == "IsTruncated") {
          page.truncated = IsTrue(text);
        } else if (path == "NextContinuationToken") {
          page.next_continuation_token = text;
        } else if (path == "EncodingType") {
          url_encoded = text == "url";
        } else if (path == "Contents/Key") {
          cur.key = text;
        } else if (path == "Contents/Size") {
          auto v = ParseU64(text, "object size");
          if (!v.ok())
            bad = v.status();
          else
            cur.size = *v;
        } else if (path == "Contents/ETag") {
          cur.etag = Unquote(text);
        } else if (path == "Contents/LastModified") {
          auto t = ParseS3Timestamp(text);
          if (!t.ok())
            bad = t.status();
          else
            cur.mtime_ns = *t;
        } else if (path == "Contents") {
          page.objects.push_back(std::move(cur));
        }
      });
  DREDGE_RETURN_IF_ERROR(w.Parse(xml, "ListObjectsV2"));
  DREDGE_RETURN_IF_ERROR(bad);
  // Unlike the results below, a listing is not recognised by its content (an empty one has
  // none), so its root name is checked: an unrelated document must not read as "no objects".
  if (w.root() != "ListBucketResult")
    return Status::Corrupt("the S3 ListObjectsV2 response is a <" + w.root() +
                           "> document, not a ListBucketResult");
  // EncodingType may come after the Contents it describes, so decode once the page is read.
  if (url_encoded) {
    for (auto& o : page.objects) {
      auto k = UrlDecode(o.key);
      if (!k.ok()) return Status::Corrupt("S3 listed an undecodable key: " + k.status().message());
      o.key = std::move(*k);
    }
  }
  if (page.truncated && page.next_continuation_token.empty())
    return Status::Corrupt("S3 said the listing is truncated but sent no continuation token");
  return page;
}

Result<std::string> ParseInitiateMultipartUpload(std::string_view xml) {
  std::string upload_id;
  XmlWalker w(nullptr, [&](const std::string& path, const std::string& text) {
    if (path == "UploadId") upload_id = text;
  });
  DREDGE_RETURN_IF_ERROR(w.Parse(xml, "CreateMultipartUpload"));
  if (upload_id.empty())
    return Status::Corrupt("the S3 CreateMultipartUpload response (<" + w.root() +
                           ">) has no UploadId");
  return upload_id;
}

Result<EtagResult> ParseEtagResult(std::string_view xml) {
  EtagResult r;
  ErrorCollector errors;
  XmlWalker w(nullptr, [&](const std::string& path, const std::string& text) {
    if (path == "ETag") r.etag = Unquote(text);
    errors.OnEnd(w.root(), path, text);
  });
  DREDGE_RETURN_IF_ERROR(w.Parse(xml, "result"));
  r.error = errors.error();
  if (!r.error && r.etag.empty())
    return Status::Corrupt("the S3 response (<" + w.root() + ">) has neither an ETag nor an Error");
  return r;
}

Result<ObjectLockConfig> ParseObjectLockConfiguration(std::string_view xml) {
  ObjectLockConfig c;
  std::string days, years;
  XmlWalker w(nullptr, [&](const std::string& path, const std::string& text) {
    if (path == "ObjectLockEnabled") c.enabled = text == "Enabled";
    if (path == "Rule/DefaultRetention/Mode") c.default_mode = text;
    if (path == "Rule/DefaultRetention/Days") days = text;
    if (path == "Rule/DefaultRetention/Years") years = text;
  });
  DREDGE_RETURN_IF_ERROR(w.Parse(xml, "GetObjectLockConfiguration"));
  if (w.root() == "Error")
    return Status::Corrupt("the S3 GetObjectLockConfiguration answer is an <Error>");
  if (!days.empty()) c.default_period = days + " days";
  if (!years.empty()) c.default_period = years + " years";
  return c;
}

Result<std::string> ParseVersioningStatus(std::string_view xml) {
  std::string status;
  XmlWalker w(nullptr, [&](const std::string& path, const std::string& text) {
    if (path == "Status") status = text;
  });
  DREDGE_RETURN_IF_ERROR(w.Parse(xml, "GetBucketVersioning"));
  if (w.root() == "Error")
    return Status::Corrupt("the S3 GetBucketVersioning answer is an <Error>");
  return status;
}

std::string BuildCompleteMultipartUpload(const std::vector<std::pair<int, std::string>>& parts) {
  std::string out = "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">";
  for (const auto& [number, etag] : parts) {
    out += "<Part><PartNumber>" + std::to_string(number) + "</PartNumber><ETag>&quot;" +
           XmlEscape(etag) + "&quot;</ETag></Part>";
  }
  out += "</CompleteMultipartUpload>";
  return out;
}

}  // namespace dredge::s3
