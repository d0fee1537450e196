#include "engine/db/catalog.h"

namespace dredge {

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
  return t;
}

Result<TableSchema> ReadTableSchema(PgConn& conn, const TableRef& t) {
  TableSchema s;
  s.schema_name = t.schema_name;
  s.table = t.table;
  std::string oid = std::to_string(t.oid);

  DREDGE_ASSIGN_OR_RETURN(
      PgRows cols,
      conn.Query("SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, "
                 "pg_get_expr(d.adbin, d.adrelid), a.attidentity, a.attgenerated "
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
    s.columns.push_back(std::move(c));
  }

  DREDGE_ASSIGN_OR_RETURN(PgRows pk,
                          conn.Query("SELECT a.attname, k.conname FROM pg_constraint k, "
                                     "unnest(k.conkey) WITH ORDINALITY AS u(attnum, ord) "
                                     "JOIN pg_attribute a ON a.attnum = u.attnum "
                                     "WHERE k.conrelid = $1::oid AND a.attrelid = k.conrelid "
                                     "AND k.contype = 'p' ORDER BY u.ord",
                                     {oid}));
  if (pk.size() == 0)
    return Status::InvalidArgument(
        "table " + s.QualifiedName() +
        " has no primary key: dredge needs one to know which rows were updated or deleted "
        "(add one, e.g. ALTER TABLE ... ADD PRIMARY KEY (id))");
  for (size_t i = 0; i < pk.size(); ++i) s.pk_columns.push_back(pk.str(i, 0));
  s.pk_name = pk.str(0, 1);

  DREDGE_ASSIGN_OR_RETURN(PgRows cons,
                          conn.Query("SELECT conname, contype, pg_get_constraintdef(oid) "
                                     "FROM pg_constraint WHERE conrelid = $1::oid "
                                     "AND contype IN ('c', 'u', 'x', 'f') ORDER BY conname",
                                     {oid}));
  for (size_t i = 0; i < cons.size(); ++i) {
    if (cons.str(i, 1) == "f")
      s.foreign_keys.push_back(cons.str(i, 2));
    else
      s.constraints.push_back({cons.str(i, 0), cons.str(i, 1), cons.str(i, 2)});
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
    s.indexes.push_back({idx.str(i, 0), idx.str(i, 1) == "t", def.substr(using_pos + 1)});
  }

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
  if (seq.size() == 1) {
    SequenceInfo si;
    si.name = seq.str(0, 0);
    si.column = seq.str(0, 1);
    std::string nextval = "nextval('" + seq.str(0, 2) + "'::regclass)";
    for (auto& c : s.columns) {
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
    s.sequence = si;
  }
  return s;
}

}  // namespace dredge
