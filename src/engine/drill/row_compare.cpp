#include "engine/drill/row_compare.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <set>
#include <unordered_set>

#include "engine/db/horizon.h"

namespace dredge {
namespace {

constexpr size_t kBatch = 500;  // keys per lookup query

std::string Join(const std::vector<std::string>& parts, const std::string& sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? sep : "") + parts[i];
  return out;
}

struct Sql {
  std::string keys;       // "k1", "k2"
  std::string keys_text;  // "k1"::text, "k2"::text
  std::string row_md5;    // md5(ROW(c1, c2, …)::text)
  std::string order;      // md5(ROW(k1, k2)::text || $1::text)
};

Sql MakeSql(const PgConn& c, const RowCompareSpec& s) {
  Sql q;
  std::vector<std::string> keys, keys_text, cols;
  for (const auto& k : s.key_columns) {
    keys.push_back(c.QuoteIdent(k));
    keys_text.push_back(c.QuoteIdent(k) + "::text");
  }
  for (const auto& col : s.columns) cols.push_back(c.QuoteIdent(col));
  q.keys = Join(keys, ", ");
  q.keys_text = Join(keys_text, ", ");
  q.row_md5 = "md5(ROW(" + Join(cols, ", ") + ")::text)";
  q.order = "md5(ROW(" + q.keys + ")::text || $1::text)";
  return q;
}

// "(k1, k2) IN (SELECT * FROM unnest($1::text[]::t1[], $2::text[]::t2[]))" for params from
// `first_param` on.
std::string KeyIn(const Sql& q, const RowCompareSpec& s, int first_param) {
  std::string un;
  for (size_t i = 0; i < s.key_types.size(); ++i)
    un += (i ? ", " : "") + std::string("$") + std::to_string(first_param + static_cast<int>(i)) +
          "::text[]::" + s.key_types[i] + "[]";
  return "(" + q.keys + ") IN (SELECT * FROM unnest(" + un + "))";
}

// One array literal per key column for the keys [from, to) of `keys` (each a vector of texts).
std::vector<std::string> KeyParams(const std::vector<std::vector<std::string>>& keys, size_t from,
                                   size_t to, size_t columns) {
  std::vector<std::string> out;
  for (size_t c = 0; c < columns; ++c) {
    std::vector<std::string> vals;
    for (size_t i = from; i < to; ++i) vals.push_back(keys[i][c]);
    out.push_back(TextArrayLiteral(vals));
  }
  return out;
}

std::vector<std::string> KeyOf(const PgRows& rows, size_t r, size_t n) {
  std::vector<std::string> k;
  for (size_t c = 0; c < n; ++c) k.push_back(rows.str(r, c));
  return k;
}

// The expression "this live row was written by a transaction not older than the horizon"
// (docs/db-horizon.md: the row's 32-bit xmin widened to xid8 against the current xmax).
Result<std::string> ChangedExpr(PgConn& source, const RowCompareSpec& s) {
  if (!s.horizon_valid) return std::string("true");
  DREDGE_ASSIGN_OR_RETURN(PgRows r,
                          source.Query("SELECT pg_snapshot_xmax(pg_current_snapshot())::text"));
  int64_t x = 0;
  const std::string text = r.str(0, 0);
  std::from_chars(text.data(), text.data() + text.size(), x);
  int64_t h = 0;
  auto [p, ec] = std::from_chars(s.horizon.data(), s.horizon.data() + s.horizon.size(), h);
  if (ec != std::errc() || p != s.horizon.data() + s.horizon.size())
    return Status::Corrupt("the manifest's horizon '" + s.horizon + "' is not a number");
  return RowChangedSinceSql(h, x);
}

}  // namespace

std::string TextArrayLiteral(const std::vector<std::string>& values) {
  std::string out = "{";
  for (size_t i = 0; i < values.size(); ++i) {
    out += i ? ",\"" : "\"";
    for (char ch : values[i]) {
      if (ch == '"' || ch == '\\') out.push_back('\\');
      out.push_back(ch);
    }
    out.push_back('"');
  }
  return out + "}";
}

namespace {

using Key = std::vector<std::string>;

// A seeded sample of the copy's rows: sorted keys (reports list keys in a stable, readable order)
// and each row's md5.
struct CopySample {
  std::vector<Key> keys;
  std::map<Key, std::string> md5;
};

Result<CopySample> SampleCopy(PgConn& copy, const RowCompareSpec& s, const Sql& cq) {
  DREDGE_ASSIGN_OR_RETURN(PgRows sample,
                          copy.Query("SELECT " + cq.keys_text + ", " + cq.row_md5 + " FROM " +
                                         s.copy_table + " ORDER BY " + cq.order + " LIMIT $2",
                                     {std::to_string(s.seed), std::to_string(s.sample_rows)}));
  const size_t nk = s.key_columns.size();
  CopySample out;
  for (size_t r = 0; r < sample.size(); ++r) {
    out.keys.push_back(KeyOf(sample, r, nk));
    out.md5[out.keys.back()] = sample.str(r, nk);
  }
  std::sort(out.keys.begin(), out.keys.end());
  return out;
}

// The live rows of `keys`: md5 and whether the row changed since the horizon.
Result<std::map<Key, std::pair<std::string, bool>>> LookUpLive(PgConn& source,
                                                               const RowCompareSpec& s,
                                                               const Sql& sq,
                                                               const std::string& changed,
                                                               const std::vector<Key>& keys) {
  const size_t nk = s.key_columns.size();
  const std::string lookup = "SELECT " + sq.keys_text + ", " + sq.row_md5 + ", " + changed +
                             " FROM " + s.source_table + " WHERE " + KeyIn(sq, s, 1);
  std::map<Key, std::pair<std::string, bool>> live;
  for (size_t from = 0; from < keys.size(); from += kBatch) {
    size_t to = std::min(keys.size(), from + kBatch);
    DREDGE_ASSIGN_OR_RETURN(PgRows rows, source.Query(lookup, KeyParams(keys, from, to, nk)));
    for (size_t r = 0; r < rows.size(); ++r)
      live[KeyOf(rows, r, nk)] = {rows.str(r, nk), rows.str(r, nk + 1) == "t"};
    if (s.progress) s.progress->AddFiles(to - from);
  }
  return live;
}

// Each sampled copy row against its live row: equal, changed since the backup, or a mismatch.
void Judge(const CopySample& copy, const std::map<Key, std::pair<std::string, bool>>& live,
           bool horizon_valid, RowCompareResult& out) {
  for (const auto& k : copy.keys) {
    std::string shown = Join(k, ", ");
    const std::string& copy_md5 = copy.md5.at(k);
    auto it = live.find(k);
    if (it == live.end()) {
      out.changed.push_back({shown, "deleted at the source since the backup"});
    } else if (it->second.first == copy_md5) {
      ++out.equal;
    } else if (it->second.second) {
      out.changed.push_back({shown, horizon_valid
                                        ? "updated at the source since the backup"
                                        : "differs from the live row (the live table is not the "
                                          "one backed up, so this cannot be judged)"});
    } else {
      out.mismatched.push_back({shown,
                                "the restored row differs from the live row, which has not "
                                "changed since before the backup (restored md5 " +
                                    copy_md5 + ", live md5 " + it->second.first + ")"});
    }
  }
}

// source → backup: a seeded sample of live rows older than the backup must be in the copy.
Status FindMissingFromCopy(PgConn& copy, PgConn& source, const RowCompareSpec& s, const Sql& cq,
                           const Sql& sq, const std::string& changed, RowCompareResult& out) {
  const size_t nk = s.key_columns.size();
  DREDGE_ASSIGN_OR_RETURN(
      PgRows old_keys,
      source.Query("SELECT " + sq.keys_text + " FROM " + s.source_table + " WHERE NOT " + changed +
                       " ORDER BY " + sq.order + " LIMIT $2",
                   {std::to_string(s.seed), std::to_string(s.sample_rows)}));
  std::vector<Key> want;
  for (size_t r = 0; r < old_keys.size(); ++r) want.push_back(KeyOf(old_keys, r, nk));
  out.source_sampled = want.size();
  if (s.progress) s.progress->SetTotals(out.compared + want.size(), 0);
  const std::string present =
      "SELECT " + cq.keys_text + " FROM " + s.copy_table + " WHERE " + KeyIn(cq, s, 1);
  std::set<Key> found;
  for (size_t from = 0; from < want.size(); from += kBatch) {
    size_t to = std::min(want.size(), from + kBatch);
    DREDGE_ASSIGN_OR_RETURN(PgRows rows, copy.Query(present, KeyParams(want, from, to, nk)));
    for (size_t r = 0; r < rows.size(); ++r) found.insert(KeyOf(rows, r, nk));
    if (s.progress) s.progress->AddFiles(to - from);
  }
  for (const auto& k : want)
    if (!found.count(k))
      out.mismatched.push_back({Join(k, ", "),
                                "the live row predates the backup but the restored copy lacks "
                                "it (the backup missed a row)"});
  return Status::Ok();
}

}  // namespace

Result<RowCompareResult> CompareRows(PgConn& copy, PgConn& source, const RowCompareSpec& s) {
  RowCompareResult out;
  Sql cq = MakeSql(copy, s), sq = MakeSql(source, s);
  DREDGE_ASSIGN_OR_RETURN(std::string changed, ChangedExpr(source, s));
  DREDGE_ASSIGN_OR_RETURN(CopySample sample, SampleCopy(copy, s, cq));
  out.compared = sample.keys.size();
  // The second direction's sample is at most as large; its real size replaces this estimate.
  if (s.progress) s.progress->SetTotals(out.compared * (s.horizon_valid ? 2 : 1), 0);
  DREDGE_ASSIGN_OR_RETURN(auto live, LookUpLive(source, s, sq, changed, sample.keys));
  Judge(sample, live, s.horizon_valid, out);
  if (s.horizon_valid)
    DREDGE_RETURN_IF_ERROR(FindMissingFromCopy(copy, source, s, cq, sq, changed, out));
  return out;
}

}  // namespace dredge
