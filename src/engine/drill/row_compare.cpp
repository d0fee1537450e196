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

Result<RowCompareResult> CompareRows(PgConn& copy, PgConn& source, const RowCompareSpec& s) {
  RowCompareResult out;
  const size_t nk = s.key_columns.size();
  const std::string seed = std::to_string(s.seed);
  const std::string limit = std::to_string(s.sample_rows);
  Sql cq = MakeSql(copy, s), sq = MakeSql(source, s);
  DREDGE_ASSIGN_OR_RETURN(std::string changed, ChangedExpr(source, s));

  // backup → source
  DREDGE_ASSIGN_OR_RETURN(PgRows sample,
                          copy.Query("SELECT " + cq.keys_text + ", " + cq.row_md5 + " FROM " +
                                         s.copy_table + " ORDER BY " + cq.order + " LIMIT $2",
                                     {seed, limit}));
  std::vector<std::vector<std::string>> keys;
  std::map<std::vector<std::string>, std::string> copy_md5;
  for (size_t r = 0; r < sample.size(); ++r) {
    keys.push_back(KeyOf(sample, r, nk));
    copy_md5[keys.back()] = sample.str(r, nk);
  }
  std::sort(keys.begin(), keys.end());  // reports list keys in a stable, readable order
  out.compared = keys.size();
  const std::string lookup = "SELECT " + sq.keys_text + ", " + sq.row_md5 + ", " + changed +
                             " FROM " + s.source_table + " WHERE " + KeyIn(sq, s, 1);
  std::map<std::vector<std::string>, std::pair<std::string, bool>> live;
  for (size_t from = 0; from < keys.size(); from += kBatch) {
    size_t to = std::min(keys.size(), from + kBatch);
    DREDGE_ASSIGN_OR_RETURN(PgRows rows, source.Query(lookup, KeyParams(keys, from, to, nk)));
    for (size_t r = 0; r < rows.size(); ++r)
      live[KeyOf(rows, r, nk)] = {rows.str(r, nk), rows.str(r, nk + 1) == "t"};
  }
  for (const auto& k : keys) {
    std::string shown = Join(k, ", ");
    auto it = live.find(k);
    if (it == live.end()) {
      out.changed.push_back({shown, "deleted at the source since the backup"});
    } else if (it->second.first == copy_md5[k]) {
      ++out.equal;
    } else if (it->second.second) {
      out.changed.push_back({shown, s.horizon_valid
                                        ? "updated at the source since the backup"
                                        : "differs from the live row (the live table is not the "
                                          "one backed up, so this cannot be judged)"});
    } else {
      out.mismatched.push_back(
          {shown,
           "the restored row differs from the live row, which has not changed since "
           "before the backup (restored md5 " +
               copy_md5[k] + ", live md5 " + it->second.first + ")"});
    }
  }
  if (!s.horizon_valid) return out;

  // source → backup
  DREDGE_ASSIGN_OR_RETURN(
      PgRows old_keys,
      source.Query("SELECT " + sq.keys_text + " FROM " + s.source_table + " WHERE NOT " + changed +
                       " ORDER BY " + sq.order + " LIMIT $2",
                   {seed, limit}));
  std::vector<std::vector<std::string>> want;
  for (size_t r = 0; r < old_keys.size(); ++r) want.push_back(KeyOf(old_keys, r, nk));
  out.source_sampled = want.size();
  const std::string present =
      "SELECT " + cq.keys_text + " FROM " + s.copy_table + " WHERE " + KeyIn(cq, s, 1);
  std::set<std::vector<std::string>> found;
  for (size_t from = 0; from < want.size(); from += kBatch) {
    size_t to = std::min(want.size(), from + kBatch);
    DREDGE_ASSIGN_OR_RETURN(PgRows rows, copy.Query(present, KeyParams(want, from, to, nk)));
    for (size_t r = 0; r < rows.size(); ++r) found.insert(KeyOf(rows, r, nk));
  }
  for (const auto& k : want)
    if (!found.count(k))
      out.mismatched.push_back({Join(k, ", "),
                                "the live row predates the backup but the restored copy lacks "
                                "it (the backup missed a row)"});
  return out;
}

}  // namespace dredge
