// The hand-written chunk reader (formats/chunk_reader.cpp) against what a general JSON tool
// may make of a chunk: any layout of the same JSON reads the same; escapes, surrogate pairs
// and negative zero decode as the server prints them; malformed JSON is Corrupt with a byte.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "formats/chunk_reader.h"
#include "formats/chunk_writer.h"
#include "support/chunk_lines.h"

namespace dredge {
namespace {

using ChunkLines = testing::ChunkLines;

std::vector<ColumnSpec> Columns() {
  return {MakeColumn("id", "integer"), MakeColumn("f", "double precision"),
          MakeColumn("ok", "boolean"), MakeColumn("t", "text")};
}

std::string Written() {
  ChunkWriter w(Columns(), {0});
  w.Begin("public.t", "20250101_000000", 7);
  EXPECT_TRUE(w.AddRow("1\t-0\tt\ttab\\there \\\\ \"q\" \xF0\x9F\x98\x80 \x01").ok());
  EXPECT_TRUE(w.AddRow("2\tNaN\t\\N\t\\N").ok());
  EXPECT_TRUE(w.AddRow("-3\t1.5e-300\tf\tline\\nbreak").ok());
  return w.Finish();
}

TEST(DbChunkReader, AnyLayoutOfTheSameJsonReadsTheSame) {
  std::string body = Written();
  ChunkLines a;
  ASSERT_TRUE(DecodeChunk(body, a).ok());
  ASSERT_EQ(a.lines.size(), 3u);
  EXPECT_EQ(a.lines[0], "1\t-0\tt\ttab\\there \\\\ \"q\" \xF0\x9F\x98\x80 \x01");
  EXPECT_EQ(a.lines[1], "2\tNaN\t\\N\t\\N");
  EXPECT_EQ(a.lines[2], "-3\t1.5e-300\tf\tline\\nbreak");
  EXPECT_EQ(a.header.number, 7u);
  EXPECT_EQ(a.header.table, "public.t");

  // Pretty-printed with every non-ASCII character escaped (\ud83d\ude00) and an unknown
  // nested member (the header members still precede `rows`, as docs/formats/chunk.md says).
  auto doc = nlohmann::ordered_json::parse(body);
  doc["extra"] = {{"nested", {1, 2, {{"x", nullptr}}}}};
  std::string pretty = doc.dump(2, ' ', /*ensure_ascii=*/true);
  ASSERT_NE(pretty.find("\\ud83d\\ude00"), std::string::npos);
  ChunkLines b;
  Status st = DecodeChunk(pretty, b);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(b.lines, a.lines);
}

TEST(DbChunkReader, MalformedJsonIsCorruptWithItsByte) {
  std::string body = Written();
  for (std::string bad : {body.substr(0, body.size() / 2), body + "x",
                          std::string(body).replace(body.find("\"rows\""), 1, 1, '\'')}) {
    ChunkLines s;
    Status st = DecodeChunk(bad, s);
    EXPECT_TRUE(st.Is(ErrorKind::kCorrupt)) << st.ToString();
  }
  ChunkLines s;
  Status st = DecodeChunk(
      "{\"format\":\"dredge-chunk\",\"version\":1,\"columns\":[{\"name\":\"t\",\"type\":\"text\"}],"
      "\"rows\":[{\"t\":\"\\ud83d\"}]}",
      s);
  EXPECT_TRUE(st.Is(ErrorKind::kCorrupt));
  EXPECT_NE(st.message().find("surrogate"), std::string::npos) << st.ToString();
  EXPECT_NE(st.message().find("at byte"), std::string::npos) << st.ToString();
  st = DecodeChunk("[{\"id\":1}]", s);
  EXPECT_NE(st.message().find("legacy"), std::string::npos) << st.ToString();
  st = DecodeChunk(
      "{\"format\":\"dredge-chunk\",\"version\":1,\"columns\":[{\"name\":\"id\",\"type\":"
      "\"integer\"}],\"rows\":[{}]}",
      s);
  EXPECT_NE(st.message().find("lacks column 'id'"), std::string::npos) << st.ToString();
}

// Found by fuzz/chunk_fuzz: a "columns" member after "rows" indexed the (empty) field buffer of
// the rows already begun. Such a chunk, and one with two column lists, is Corrupt.
TEST(DbChunkReader, ColumnsAfterRowsOrTwiceAreCorrupt) {
  const std::string cols = "\"columns\":[{\"name\":\"id\",\"type\":\"integer\"}]";
  for (std::string bad : {"{\"format\":\"dredge-chunk\",\"version\":1,\"rows\":[]," + cols +
                              ",\"rows\":[{\"id\":1}]}",
                          "{\"format\":\"dredge-chunk\",\"version\":1," + cols + "," + cols +
                              ",\"rows\":[{\"id\":1}]}"}) {
    ChunkLines s;
    Status st = DecodeChunk(bad, s);
    EXPECT_TRUE(st.Is(ErrorKind::kCorrupt)) << bad << ": " << st.ToString();
    EXPECT_NE(st.message().find("\"columns\" twice or after \"rows\""), std::string::npos)
        << st.ToString();
    EXPECT_TRUE(s.lines.empty());
  }
}

}  // namespace
}  // namespace dredge
