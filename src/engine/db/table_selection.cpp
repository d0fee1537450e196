#include "engine/db/table_selection.h"

#include <fnmatch.h>

#include <algorithm>
#include <optional>
#include <utility>

namespace dredge {
namespace {

struct Relation {
  TableRef ref;
  std::string kind;    // relkind
  std::string parent;  // "schema.table" of the partitioned table, for a partition
};

std::string Qualified(const TableRef& t) {
  return t.schema_name + "." + t.table;
}

Relation RelationOf(const PgConn& conn, const PgRows& r, size_t i) {
  Relation rel;
  rel.ref.oid = std::stoll(r.str(i, 0));
  rel.ref.schema_name = r.str(i, 1);
  rel.ref.table = r.str(i, 2);
  rel.ref.quoted = conn.QuoteIdent(rel.ref.schema_name) + "." + conn.QuoteIdent(rel.ref.table);
  rel.kind = r.str(i, 3);
  rel.ref.partitioned = rel.kind == "p";
  rel.parent = r.str(i, 4);
  return rel;
}

constexpr const char* kRelationColumns =
    "SELECT c.oid, n.nspname, c.relname, c.relkind, (SELECT pn.nspname || '.' || p.relname FROM "
    "pg_inherits i JOIN pg_class p ON p.oid = i.inhparent JOIN pg_namespace pn ON pn.oid = "
    "p.relnamespace WHERE i.inhrelid = c.oid AND c.relispartition) FROM pg_class c "
    "JOIN pg_namespace n ON n.oid = c.relnamespace ";

Result<std::vector<Relation>> NamedRelations(PgConn& conn, const std::vector<std::string>& names) {
  std::vector<Relation> out;
  for (const auto& name : names) {
    DREDGE_ASSIGN_OR_RETURN(
        PgRows r,
        conn.Query(std::string(kRelationColumns) + "WHERE c.oid = to_regclass($1)", {name}));
    if (r.size() == 0)
      return Status::NotFound("table '" + name + "' does not exist (or is not on the search_path)");
    out.push_back(RelationOf(conn, r, 0));
  }
  return out;
}

Result<std::vector<Relation>> SchemaRelations(PgConn& conn, const TableSelection& sel) {
  std::string list = "{";
  for (size_t i = 0; i < sel.schemas.size(); ++i) {
    std::string s = sel.schemas[i];
    std::string esc;
    for (char c : s) esc += (c == '"' || c == '\\') ? std::string("\\") + c : std::string(1, c);
    list += (i ? ",\"" : "\"") + esc + "\"";
  }
  list += "}";
  DREDGE_ASSIGN_OR_RETURN(PgRows r,
                          conn.Query(std::string(kRelationColumns) +
                                         "WHERE n.nspname = ANY ($1::text[]) AND c.relkind IN "
                                         "('r', 'p', 'v', 'm', 'f') ORDER BY n.nspname, c.relname",
                                     {list}));
  std::vector<Relation> out;
  for (size_t i = 0; i < r.size(); ++i) {
    Relation rel = RelationOf(conn, r, i);
    if (!MatchesAnyGlob(sel.exclude, Qualified(rel.ref))) out.push_back(std::move(rel));
  }
  return out;
}

// What is done with a relation that is not a table backed up on its own (kind and action), or
// nullopt for a table.
std::optional<std::pair<std::string, std::string>> NotATable(const Relation& rel,
                                                             bool parent_selected) {
  using Out = std::pair<std::string, std::string>;
  if (rel.kind == "v") return Out{"view", "skipped: a view holds no rows of its own"};
  if (rel.kind == "m")
    return Out{"materialized view",
               "skipped: a materialized view is rebuilt from its query (REFRESH MATERIALIZED "
               "VIEW)"};
  if (rel.kind == "f") return Out{"foreign table", "skipped: its rows live in another server"};
  if (rel.kind != "r" && rel.kind != "p") return Out{"relkind " + rel.kind, "skipped: not a table"};
  if (!rel.parent.empty() && parent_selected)
    return Out{"partition", "backed up through its partitioned table " + rel.parent};
  return std::nullopt;
}

}  // namespace

bool MatchesAnyGlob(const std::vector<std::string>& globs, const std::string& qualified) {
  std::string table = qualified.substr(qualified.find('.') + 1);
  for (const auto& g : globs)
    if (fnmatch(g.c_str(), qualified.c_str(), 0) == 0 || fnmatch(g.c_str(), table.c_str(), 0) == 0)
      return true;
  return false;
}

Result<TablePlan> PlanTables(PgConn& conn, const TableSelection& sel) {
  std::vector<Relation> rels;
  if (sel.all) {
    DREDGE_ASSIGN_OR_RETURN(rels, SchemaRelations(conn, sel));
  } else {
    DREDGE_ASSIGN_OR_RETURN(rels, NamedRelations(conn, sel.names));
  }
  std::vector<std::string> selected;
  for (const auto& r : rels) selected.push_back(Qualified(r.ref));
  TablePlan plan;
  for (const auto& r : rels) {
    bool parent_selected = std::find(selected.begin(), selected.end(), r.parent) != selected.end();
    if (auto skip = NotATable(r, parent_selected)) {
      plan.not_backed_up.push_back({Qualified(r.ref), skip->first, skip->second});
      continue;
    }
    bool dup = std::any_of(plan.tables.begin(), plan.tables.end(),
                           [&](const TableRef& t) { return t.oid == r.ref.oid; });
    if (!dup) plan.tables.push_back(r.ref);
  }
  std::sort(plan.tables.begin(), plan.tables.end(),
            [](const TableRef& a, const TableRef& b) { return Qualified(a) < Qualified(b); });
  if (plan.tables.empty())
    return Status::Usage("no table to back up: " +
                         std::string(sel.all ? "the schemas hold no table outside exclude_tables"
                                             : "every name given is not a table") +
                         " (check [db] tables, schemas and exclude_tables)");
  return plan;
}

}  // namespace dredge
