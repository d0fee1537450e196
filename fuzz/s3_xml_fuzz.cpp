// Fuzzes every parser of S3 answers: ListObjectsV2, <Error>, multipart and copy results, and
// the helpers they use on element text (percent-decoding, timestamps).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "store/s3/s3_xml.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view xml(reinterpret_cast<const char*>(data), size);
  (void)dredge::s3::ParseListObjectsV2(xml);
  (void)dredge::s3::ParseErrorBody(xml);
  (void)dredge::s3::ParseInitiateMultipartUpload(xml);
  (void)dredge::s3::ParseEtagResult(xml);
  (void)dredge::s3::UrlDecode(xml);
  (void)dredge::s3::ParseS3Timestamp(xml);
  (void)dredge::s3::Unquote(xml);
  return 0;
}
