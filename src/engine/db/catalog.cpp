#include "engine/db/catalog.h"

namespace dredge {
namespace {

Status ReadColumns(PgConn& conn, const std::string& oid, TableSchema* s) {
  DREDGE_ASSIGN_OR_RETURN(
      PgRows cols,
      conn.Query("SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, "
                 "pg_get_expr(d.adbin, d.adrelid), a.attidentity, a.attgenerated, "
                 "col_description(a.attrelid, a.attnum) "
                 "FROM pg_attribute a LEFT JOIN pg_attrdef d "
                 "ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
                 "WHERE a.attrelid = $1::oid AND a.attnum > 0 AND NOT a.attisdropped "
                 "ORDER BY a.attnum",
                 {oid}));
  for (size_t i = 0; i < cols.size(); ++i) {
    SchemaColumn c;
    c.name = cols.str(i, 0);
    c.type = cols.str(i, 1);
    c.not_null = cols.str(i, 2) == "t";
    c.identity = cols.str(i, 4);
    if (cols.str(i, 5) == "s")
      c.generated = cols.str(i, 3);
    else
      c.default_expr = cols.at(i, 3);
    if (cols.at(i, 6)) s->column_comments[c.name] = *cols.at(i, 6);
    s->columns.push_back(std::move(c));
  }
  return Status::Ok();
}

// The primary key, else the unique index (not partial, no expressions) over NOT NULL columns
// with the fewest columns (then the first by name), else none (docs/formats/manifest.md).
Status ReadKey(PgConn& conn, const std::string& oid, TableSchema* s) {
  DREDGE_ASSIGN_OR_RETURN(
      PgRows idx,
      conn.Query("SELECT i.indexrelid, c.relname, EXISTS (SELECT 1 FROM pg_constraint k "
                 "WHERE k.conindid = i.indexrelid AND k.contype = 'p') AS pk "
                 "FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                 "WHERE i.indrelid = $1::oid AND i.indisunique AND i.indisvalid "
                 "AND i.indpred IS NULL AND i.indexprs IS NULL AND NOT EXISTS (SELECT 1 FROM "
                 "unnest(i.indkey::int2[]) n JOIN pg_attribute a ON a.attrelid = i.indrelid "
                 "AND a.attnum = n WHERE NOT a.attnotnull) "
                 "ORDER BY pk DESC, i.indnkeyatts, c.relname LIMIT 1",
                 {oid}));
  if (idx.size() == 0) {
    s->key_source = std::string(kKeyNone);
    return Status::Ok();
  }
  bool pk = idx.str(0, 2) == "t";
  s->key_source = std::string(pk ? kKeyPrimary : kKeyUniqueIndex);
  DREDGE_ASSIGN_OR_RETURN(
      PgRows cols, conn.Query("SELECT a.attname FROM pg_index i, unnest(i.indkey::int2[]) WITH "
                              "ORDINALITY AS u(attnum, ord) JOIN pg_attribute a ON a.attnum = "
                              "u.attnum WHERE i.indexrelid = $1::oid AND a.attrelid = i.indrelid "
                              "AND u.ord <= i.indnkeyatts ORDER BY u.ord",
                              {idx.str(0, 0)}));
  for (size_t i = 0; i < cols.size(); ++i) s->pk_columns.push_back(cols.str(i, 0));
  if (pk) {
    DREDGE_ASSIGN_OR_RETURN(PgRows name,
                            conn.Query("SELECT conname FROM pg_constraint WHERE conindid = "
                                       "$1::oid AND contype = 'p'",
                                       {idx.str(0, 0)}));
    s->pk_name = name.str(0, 0);
  } else {
    s->pk_name = idx.str(0, 1);
  }
  return Status::Ok();
}

Status ReadConstraints(PgConn& conn, const std::string& oid, TableSchema* s) {
  DREDGE_ASSIGN_OR_RETURN(
      PgRows cons,
      conn.Query("SELECT k.conname, k.contype, pg_get_constraintdef(k.oid), n.nspname || '.' || "
                 "r.relname FROM pg_constraint k LEFT JOIN pg_class r ON r.oid = k.confrelid "
                 "LEFT JOIN pg_namespace n ON n.oid = r.relnamespace "
                 "WHERE k.conrelid = $1::oid AND k.conparentid = 0 "
                 "AND k.contype IN ('c', 'u', 'x', 'f') ORDER BY k.conname",
                 {oid}));
  for (size_t i = 0; i < cons.size(); ++i) {
    if (cons.str(i, 1) == "f")
      s->foreign_keys.push_back(
          {s->QualifiedName(), cons.str(i, 0), cons.str(i, 3), cons.str(i, 2)});
    else
      s->constraints.push_back({cons.str(i, 0), cons.str(i, 1), cons.str(i, 2)});
  }
  DREDGE_ASSIGN_OR_RETURN(
      PgRows idx, conn.Query("SELECT c.relname, i.indisunique, pg_get_indexdef(i.indexrelid) "
                             "FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                             "WHERE i.indrelid = $1::oid AND NOT EXISTS (SELECT 1 FROM "
                             "pg_constraint k WHERE k.conindid = i.indexrelid "
                             "AND k.conrelid = i.indrelid) ORDER BY c.relname",
                             {oid}));
  for (size_t i = 0; i < idx.size(); ++i) {
    std::string def = idx.str(i, 2);
    size_t using_pos = def.find(" USING ");
    if (using_pos == std::string::npos) continue;
    s->indexes.push_back({idx.str(i, 0), idx.str(i, 1) == "t", def.substr(using_pos + 1)});
  }
  return Status::Ok();
}

Status ReadSequence(PgConn& conn, const std::string& oid, TableSchema* s) {
  DREDGE_ASSIGN_OR_RETURN(
      PgRows seq,
      conn.Query("SELECT quote_ident(n.nspname) || '.' || quote_ident(s.relname), a.attname, "
                 "s.oid::regclass::text, has_sequence_privilege(s.oid, 'SELECT') "
                 "FROM pg_depend d JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S' "
                 "JOIN pg_namespace n ON n.oid = s.relnamespace "
                 "JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid "
                 "WHERE d.refobjid = $1::oid AND d.classid = 'pg_class'::regclass "
                 "AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i') "
                 "ORDER BY a.attnum LIMIT 1",
                 {oid}));
  if (seq.size() != 1) return Status::Ok();
  SequenceInfo si;
  si.name = seq.str(0, 0);
  si.column = seq.str(0, 1);
  std::string nextval = "nextval('" + seq.str(0, 2) + "'::regclass)";
  for (auto& c : s->columns) {
    if (c.name == si.column && c.default_expr && *c.default_expr == nextval) {
      c.serial = true;
      c.default_expr.reset();
    }
  }
  if (seq.str(0, 3) == "t") {
    DREDGE_ASSIGN_OR_RETURN(PgRows v, conn.Query("SELECT last_value, is_called FROM " + si.name));
    if (v.size() == 1) {
      si.last_value = std::stoll(v.str(0, 0));
      si.is_called = v.str(0, 1) == "t";
    }
  }
  s->sequence = si;
  return Status::Ok();
}

// The partitions of `parent_oid` and, depth first, theirs: every parent before its own
// partitions, siblings by name (restore creates them in this order).
Status ReadPartitions(PgConn& conn, const std::string& parent_oid, const std::string& of,
                      TableSchema* s) {
  DREDGE_ASSIGN_OR_RETURN(
      PgRows parts,
      conn.Query("SELECT n.nspname || '.' || c.relname, pg_get_expr(c.relpartbound, c.oid), "
                 "obj_description(c.oid, 'pg_class'), CASE WHEN c.relkind = 'p' THEN "
                 "pg_get_partkeydef(c.oid) END, c.oid FROM pg_inherits i "
                 "JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_namespace n ON n.oid = "
                 "c.relnamespace WHERE i.inhparent = $1::oid ORDER BY c.relname",
                 {parent_oid}));
  for (size_t i = 0; i < parts.size(); ++i) {
    std::string by = parts.at(i, 3).value_or("");
    s->partitions.push_back({parts.str(i, 0), parts.str(i, 1), parts.at(i, 2), of, by});
    if (!by.empty())
      DREDGE_RETURN_IF_ERROR(ReadPartitions(conn, parts.str(i, 4), parts.str(i, 0), s));
  }
  return Status::Ok();
}

// Comment and, for a partitioned table, its partition key and partitions at every level.
Status ReadCommentAndPartitions(PgConn& conn, const TableRef& t, TableSchema* s) {
  std::string oid = std::to_string(t.oid);
  DREDGE_ASSIGN_OR_RETURN(PgRows c,
                          conn.Query("SELECT obj_description($1::oid, 'pg_class'), CASE WHEN "
                                     "relkind = 'p' THEN pg_get_partkeydef(oid) END "
                                     "FROM pg_class WHERE oid = $1::oid",
                                     {oid}));
  s->comment = c.at(0, 0);
  if (!c.at(0, 1)) return Status::Ok();
  s->partition_by = *c.at(0, 1);
  return ReadPartitions(conn, oid, "", s);
}

}  // namespace

Result<TableRef> ResolveTable(PgConn& conn, const std::string& name) {
  DREDGE_ASSIGN_OR_RETURN(
      PgRows r, conn.Query("SELECT c.oid, n.nspname, c.relname, c.relkind FROM pg_class c "
                           "JOIN pg_namespace n ON n.oid = c.relnamespace "
                           "WHERE c.oid = to_regclass($1)",
                           {name}));
  if (r.size() == 0)
    return Status::NotFound("table '" + name + "' does not exist (or is not on the search_path)");
  std::string kind = r.str(0, 3);
  if (kind != "r" && kind != "p")
    return Status::InvalidArgument("'" + name + "' is not a table (relkind " + kind + ")");
  TableRef t;
  t.oid = std::stoll(r.str(0, 0));
  t.schema_name = r.str(0, 1);
  t.table = r.str(0, 2);
  t.quoted = conn.QuoteIdent(t.schema_name) + "." + conn.QuoteIdent(t.table);
  t.partitioned = kind == "p";
  return t;
}

Result<TableSchema> ReadTableSchema(PgConn& conn, const TableRef& t) {
  TableSchema s;
  s.schema_name = t.schema_name;
  s.table = t.table;
  std::string oid = std::to_string(t.oid);
  DREDGE_RETURN_IF_ERROR(ReadColumns(conn, oid, &s));
  DREDGE_RETURN_IF_ERROR(ReadKey(conn, oid, &s));
  DREDGE_RETURN_IF_ERROR(ReadConstraints(conn, oid, &s));
  DREDGE_RETURN_IF_ERROR(ReadSequence(conn, oid, &s));
  DREDGE_RETURN_IF_ERROR(ReadCommentAndPartitions(conn, t, &s));
  return s;
}

}  // namespace dredge
