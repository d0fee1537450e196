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
  std::string parent;  // "schema.table" of its partitioned table, for a partition
  std::string root;    // "schema.table" of the topmost partitioned table, for a partition
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
  rel.root = r.str(i, 5);
  return rel;
}

constexpr const char* kRelationColumns =
    "SELECT c.oid, n.nspname, c.relname, c.relkind, (SELECT pn.nspname || '.' || p.relname FROM "
    "pg_inherits i JOIN pg_class p ON p.oid = i.inhparent JOIN pg_namespace pn ON pn.oid = "
    "p.relnamespace WHERE i.inhrelid = c.oid AND c.relispartition), (SELECT rn.nspname || '.' || "
    "r.relname FROM pg_class r JOIN pg_namespace rn ON rn.oid = r.relnamespace WHERE "
    "c.relispartition "
    "AND r.oid = pg_partition_root(c.oid)) FROM pg_class c "
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
                                                             const std::string& through) {
  using Out = std::pair<std::string, std::string>;
  if (rel.kind == "v") return Out{"view", "skipped: a view holds no rows of its own"};
  if (rel.kind == "m")
    return Out{"materialized view",
               "skipped: a materialized view is rebuilt from its query (REFRESH MATERIALIZED "
               "VIEW)"};
  if (rel.kind == "f") return Out{"foreign table", "skipped: its rows live in another server"};
  if (rel.kind != "r" && rel.kind != "p") return Out{"relkind " + rel.kind, "skipped: not a table"};
  if (!through.empty())
    return Out{"partition", "backed up through its partitioned table " + through};
  return std::nullopt;
}

// Types defined in the database (enums, domains, composite and range types, extension types;
// arrays of them) that columns of the chosen tables use: their values are backed up as text,
// their definitions are not, so each one is named with the columns that need it.
Result<std::vector<NotBackedUp>> UserTypes(PgConn& conn, const std::vector<TableRef>& tables) {
  std::string oids = "{";
  for (const auto& t : tables) oids += (oids.size() > 1 ? "," : "") + std::to_string(t.oid);
  oids += "}";
  DREDGE_ASSIGN_OR_RETURN(
      PgRows r,
      conn.Query("SELECT format_type(b.oid, NULL), CASE b.typtype WHEN 'e' THEN 'enum type' "
                 "WHEN 'd' THEN 'domain' WHEN 'c' THEN 'composite type' WHEN 'r' THEN 'range "
                 "type' WHEN 'm' THEN 'range type' ELSE 'type' END, string_agg(n.nspname || '.' "
                 "|| c.relname || '.' || a.attname, ', ' ORDER BY n.nspname, c.relname, "
                 "a.attnum) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
                 "JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_type t ON t.oid = "
                 "a.atttypid JOIN pg_type b ON b.oid = CASE WHEN t.typcategory = 'A' THEN "
                 "t.typelem ELSE t.oid END WHERE a.attrelid = ANY ($1::oid[]) AND a.attnum > 0 "
                 "AND NOT a.attisdropped AND b.oid >= 16384 GROUP BY b.oid, b.typtype ORDER BY 1",
                 {oids}));
  std::vector<NotBackedUp> out;
  for (size_t i = 0; i < r.size(); ++i)
    out.push_back({r.str(i, 0), r.str(i, 1),
                   "definition not backed up: the values of " + r.str(i, 2) +
                       " are backed up as text; create the type in the target database before "
                       "restoring (pg_dump --schema-only of the source holds it)"});
  return out;
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
    // A partition whose topmost partitioned table, or else whose parent, is selected comes
    // with that table's rows.
    std::string through;
    for (const std::string* t : {&r.root, &r.parent})
      if (through.empty() && !t->empty() &&
          std::find(selected.begin(), selected.end(), *t) != selected.end())
        through = *t;
    if (auto skip = NotATable(r, through)) {
      plan.not_backed_up.push_back({Qualified(r.ref), skip->first, skip->second});
      continue;
    }
    bool dup = std::any_of(plan.tables.begin(), plan.tables.end(),
                           [&](const TableRef& t) { return t.oid == r.ref.oid; });
    if (!dup) plan.tables.push_back(r.ref);
  }
  std::sort(plan.tables.begin(), plan.tables.end(),
            [](const TableRef& a, const TableRef& b) { return Qualified(a) < Qualified(b); });
  if (!plan.tables.empty()) {
    DREDGE_ASSIGN_OR_RETURN(auto types, UserTypes(conn, plan.tables));
    plan.not_backed_up.insert(plan.not_backed_up.end(), types.begin(), types.end());
  }
  if (plan.tables.empty())
    return Status::Usage("no table to back up: " +
                         std::string(sel.all ? "the schemas hold no table outside exclude_tables"
                                             : "every name given is not a table") +
                         " (check [db] tables, schemas and exclude_tables)");
  return plan;
}

}  // namespace dredge
