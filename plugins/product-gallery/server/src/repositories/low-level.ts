import crypto from 'node:crypto';
import type { Core } from '@strapi/strapi';
import { UID } from '../domain/vocabulary';

/**
 * The plugin's database calls below the query engine's entity API (strapi.db.query), each with
 * the reason that API cannot make it. No SQL is written here by hand: every statement is made by
 * Strapi's query builder from its metadata (table, column and join names, schema).
 *
 * - bumpGalleryVersion: `galleryVersion = galleryVersion + 1` in one UPDATE (the query builder's
 *   increment). The entity API can only write a value computed beforehand (read, add one, write:
 *   two moves at once would write the same number), and this UPDATE is also what makes the moves
 *   of one gallery happen one after the other: inside a transaction it locks the product row
 *   until commit (PostgreSQL; a SQLite write transaction is alone anyway). It joins the ambient
 *   transaction like the entity API, and bypasses lifecycles on purpose: its caller tells the
 *   read model what changed.
 *
 * - lockCostLedger: a PostgreSQL advisory lock held until the transaction ends, serialising cost
 *   bookings across instances. It locks a key, not a table or a row (no row stands for "the
 *   ledger"), and neither the entity API nor the query builder can take one. SQLite writes one
 *   at a time anyway.
 *
 * - createSnapshotsUnlessPresent: new read-model rows in one INSERT ... ON CONFLICT (productId)
 *   DO NOTHING (the query builder's onConflict and ignore). Two transactions can both find a
 *   product without its row and both create it; the entity API's create then fails on the unique
 *   productId, and on PostgreSQL a failed statement aborts the whole transaction, taking the
 *   change the row was written for with it (the query engine has no savepoint to fall back to).
 *   Skipped instead, the caller finds the row that won and writes it again. The entity API would
 *   fill the attributes' defaults (documentId, publishedAt) and the timestamps; the query builder
 *   does not, so they are filled here.
 *
 * - createPreparedReads: the storefront's per-request reads (the Public role's gallery
 *   permissions, the gallery row by slug, or both in one statement) as prepared statements on the
 *   pooled connection. The entity API builds the SQL again and, on better-sqlite3, prepares a new
 *   statement for every call; for a request that is otherwise one index lookup that was most of
 *   its CPU. The SQL is the query builder's, compiled once; connections still come from knex's
 *   pool, so a read never runs inside another request's open transaction. The anonymous
 *   `GET /galleries/:slug` reads the grant and the row in one statement (one pool round and one
 *   statement less per request): the permission's query, through the role relation, as Strapi's
 *   query builder makes it, with the row left-joined by slug on the knex query under it. Neither
 *   API joins a table it has no relation to, and the row has none to the permission.
 */

export const bumpGalleryVersion = async (strapi: Core.Strapi, productId: number) => {
  const meta = strapi.db.metadata.get(UID.product);
  const columnOf = (name: string) => (meta.attributes[name] as { columnName?: string }).columnName ?? name;
  const version = columnOf('galleryVersion');
  // Rows from before the counter existed hold NULL, which + 1 would keep NULL.
  await strapi.db.queryBuilder(UID.product).where({ id: productId, galleryVersion: null }).update({ [version]: 0 }).execute();
  await strapi.db
    .queryBuilder(UID.product)
    .where({ id: productId })
    .increment(version, 1)
    .update({ [columnOf('updatedAt')]: new Date() })
    .execute();
};

/**
 * The lock's 64-bit key is hashed from this database's and schema's names, so two apps on one
 * server (other databases or schemas) never wait on each other's ledger.
 */
export const COST_LEDGER_LOCK = "select pg_advisory_xact_lock(('x' || substr(md5(current_database() || '.' || current_schema() || '.product-gallery.cost-ledger'), 1, 16))::bit(64)::bigint)";

/** Takes the ledger's lock in this transaction (`trx`: the one strapi.db.transaction gives). */
export const lockCostLedger = async (trx: any) => {
  if (trx.client.config.client === 'pg') await trx.raw(COST_LEDGER_LOCK);
};

export const createSnapshotsUnlessPresent = async (strapi: Core.Strapi, rows: Record<string, unknown>[]) => {
  const meta = strapi.db.metadata.get(UID.gallerySnapshot);
  const attributes = meta.attributes as Record<string, { default?: unknown; columnName?: string }>;
  const defaults = () => {
    const out: Record<string, unknown> = {};
    for (const [name, a] of Object.entries(attributes)) if (a.default !== undefined) out[name] = typeof a.default === 'function' ? a.default() : a.default;
    return out;
  };
  const now = new Date();
  const size = strapi.db.dialect.getBatchInsertSize();
  for (let i = 0; i < rows.length; i += size) {
    await strapi.db
      .queryBuilder(UID.gallerySnapshot)
      .insert(rows.slice(i, i + size).map((row) => ({ ...defaults(), createdAt: now, updatedAt: now, ...row })))
      .onConflict([attributes.productId.columnName ?? 'productId'])
      .ignore()
      .execute();
  }
};

type KnexQuery = ReturnType<ReturnType<Core.Strapi['db']['queryBuilder']>['getKnexQuery']>;
type Compiled = { sql: string; bindings: unknown[]; name: string };

/** A stored storefront answer: the exact body and its strong ETag. */
export type StoredGallery = { body: string; etag: string };

const PERMISSION = 'plugin::users-permissions.permission';

/** Stands where a value goes while the statement is compiled; replaced by the value on each run. */
const PARAM = (i: number) => `\u0000param${i}\u0000`;
const PARAM_RE = /^\u0000param(\d+)\u0000$/;

export const createPreparedReads = (strapi: Core.Strapi) => {
  const compiled = new Map<string, Compiled>();
  const statements = new WeakMap<object, Map<string, { all(...args: unknown[]): unknown[] }>>();

  const compile = (key: string, arity: number, build: (params: string[]) => KnexQuery): Compiled => {
    let c = compiled.get(key);
    if (!c) {
      const { sql, bindings } = build(Array.from({ length: arity }, (_, i) => PARAM(i))).toSQL().toNative();
      c = { sql, bindings: [...bindings], name: `pg_${crypto.createHash('sha1').update(sql).digest('hex').slice(0, 20)}` };
      compiled.set(key, c);
    }
    return c;
  };

  const run = async <Row>(c: Compiled, values: unknown[]): Promise<Row[]> => {
    const args = c.bindings.map((b) => {
      const m = typeof b === 'string' ? PARAM_RE.exec(b) : null;
      return m ? values[Number(m[1])] : b;
    });
    const client = strapi.db.connection.client as any;
    const conn = await client.acquireConnection();
    try {
      if (client.driverName === 'better-sqlite3') {
        let byConn = statements.get(conn);
        if (!byConn) statements.set(conn, (byConn = new Map()));
        let stmt = byConn.get(c.sql);
        if (!stmt) byConn.set(c.sql, (stmt = conn.prepare(c.sql) as { all(...args: unknown[]): unknown[] }));
        return stmt.all(args) as Row[];
      }
      // node-postgres: a named statement is parsed and planned once per connection.
      const res = await conn.query({ name: c.name, text: c.sql, values: args });
      return res.rows as Row[];
    } finally {
      await client.releaseConnection(conn);
    }
  };

  const publicGrants = (action: unknown) => strapi.db.queryBuilder(PERMISSION).select(['action']).where({ action, role: { type: 'public' } });

  return {
    /** The gallery row for a slug: its body and ETag. */
    async snapshotBySlug(slug: string): Promise<StoredGallery | null> {
      const c = compile('snapshot-by-slug', 1, ([s]) => strapi.db.queryBuilder(UID.gallerySnapshot).select(['body', 'etag']).where({ slug: s }).first().getKnexQuery());
      const [row] = await run<StoredGallery>(c, [slug]);
      return row ?? null;
    },

    /** Which of these actions the Public role holds (read on every request: a revoked grant holds at once). */
    async publicActions(actions: readonly string[]): Promise<Set<string>> {
      const c = compile(`public-actions/${actions.length}`, actions.length, (params) => publicGrants({ $in: params }).getKnexQuery());
      const rows = await run<{ action: string }>(c, [...actions]);
      return new Set(rows.map((r) => r.action));
    },

    /** Whether the Public role holds `action`, and the gallery row for a slug (null: none), in one statement. */
    async publicSnapshotBySlug(action: string, slug: string): Promise<{ granted: boolean; row: StoredGallery | null }> {
      const c = compile('public-snapshot-by-slug', 2, ([a, s]) => {
        const meta = strapi.db.metadata.get(UID.gallerySnapshot);
        const column = (name: string) => `snapshot.${(meta.attributes[name] as { columnName?: string }).columnName ?? name}`;
        return publicGrants(a)
          .getKnexQuery()
          .leftJoin(`${meta.tableName} as snapshot`, (on) => on.onVal(column('slug'), '=', s))
          .select({ body: column('body'), etag: column('etag') });
      });
      const [row] = await run<{ action: string; body: string | null; etag: string | null }>(c, [action, slug]);
      if (!row) return { granted: false, row: null };
      return { granted: true, row: row.body !== null && row.etag !== null ? { body: row.body, etag: row.etag } : null };
    },
  };
};
