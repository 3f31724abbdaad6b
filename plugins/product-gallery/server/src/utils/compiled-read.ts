import type { Core } from '@strapi/strapi';

/**
 * Hot read queries, compiled once. Knex rebuilds the SQL of every query and, on better-sqlite3,
 * prepares a new statement for each call: for the storefront endpoint that was half of a
 * request's CPU. Here a query is built once with placeholder values, its SQL kept, and on SQLite
 * its prepared statement kept per pooled connection. Connections still come from knex's pool, so
 * a read never sees another request's open transaction.
 */
const PARAM = (i: number) => `\u0000param${i}\u0000`;
const PARAM_RE = /^\u0000param(\d+)\u0000$/;
const MAX_STATEMENTS = 256;

type Knex = Core.Strapi['db']['connection'];
type Build = (params: string[]) => { toSQL(): { sql: string; bindings: readonly unknown[] } };

export const createCompiledReader = (getKnex: () => Knex) => {
  const compiled = new Map<string, { sql: string; bindings: unknown[] }>();
  const statements = new WeakMap<object, Map<string, { all: (...args: unknown[]) => unknown[] }>>();

  const compile = (key: string, arity: number, build: Build) => {
    let c = compiled.get(key);
    if (!c) {
      const { sql, bindings } = build(Array.from({ length: arity }, (_, i) => PARAM(i))).toSQL();
      c = { sql, bindings: [...bindings] };
      if (compiled.size >= MAX_STATEMENTS) compiled.delete(compiled.keys().next().value as string);
      compiled.set(key, c);
    }
    return c;
  };

  const bind = (template: unknown[], values: unknown[]) =>
    template.map((b) => {
      const m = typeof b === 'string' ? PARAM_RE.exec(b) : null;
      const v = m ? values[Number(m[1])] : b;
      // As knex's better-sqlite3 client does.
      return v instanceof Date ? v.valueOf() : typeof v === 'boolean' ? Number(v) : v;
    });

  /**
   * Runs the query `build` makes, compiled once per `key`; `build` receives `values.length`
   * placeholders to use where the values go (so `key` must change with the number of values).
   */
  return async <Row = any>(key: string, values: unknown[], build: Build): Promise<Row[]> => {
    const knex = getKnex();
    const { sql, bindings } = compile(`${key}/${values.length}`, values.length, build);
    const args = bind(bindings, values);
    const client = knex.client as any;
    if (client.driverName !== 'better-sqlite3') {
      const res: any = await knex.raw(sql, args as any[]);
      return (Array.isArray(res) ? res[0] : res.rows) as Row[];
    }
    const conn = await client.acquireConnection();
    try {
      let byConn = statements.get(conn);
      if (!byConn) statements.set(conn, (byConn = new Map()));
      let stmt = byConn.get(sql);
      if (!stmt) {
        if (byConn.size >= MAX_STATEMENTS) byConn.clear();
        stmt = conn.prepare(sql) as { all: (...args: unknown[]) => unknown[] };
        byConn.set(sql, stmt);
      }
      return stmt.all(args) as Row[];
    } finally {
      await client.releaseConnection(conn);
    }
  };
};
