import path from 'path';

export default ({ env }) => {
  const client = env('DATABASE_CLIENT', 'sqlite');

  const connections = {
    postgres: {
      connection: {
        connectionString: env('DATABASE_URL'),
        host: env('DATABASE_HOST', 'localhost'),
        port: env.int('DATABASE_PORT', 5432),
        database: env('DATABASE_NAME', 'strapi'),
        user: env('DATABASE_USERNAME', 'strapi'),
        password: env('DATABASE_PASSWORD', 'strapi'),
        ssl: env.bool('DATABASE_SSL', false) && {
          rejectUnauthorized: env.bool('DATABASE_SSL_REJECT_UNAUTHORIZED', true),
        },
        schema: env('DATABASE_SCHEMA', 'public'),
      },
      pool: { min: env.int('DATABASE_POOL_MIN', 2), max: env.int('DATABASE_POOL_MAX', 10) },
    },
    sqlite: {
      connection: {
        filename: path.join(__dirname, '..', '..', env('DATABASE_FILENAME', '.tmp/data.db')),
      },
      useNullAsDefault: true,
      pool: {
        // WAL: a commit appends to the log (one fsync) instead of rewriting pages through a rollback
        // journal (several), and readers never wait for the writer. synchronous=FULL keeps every
        // commit durable across a power loss: a recorded prediction intent must never be lost.
        //
        // Another process may write to the same file (`npm run worker` beside the app): a write
        // waits up to busy_timeout for it instead of failing with SQLITE_BUSY. And every
        // transaction starts IMMEDIATE (takes the write lock at BEGIN, waiting its turn): knex
        // sends a plain deferred BEGIN, whose first read pins a snapshot, and a write after another
        // process's commit then fails at once whatever the timeout (knex has no option for this,
        // so its BEGIN is rewritten here, on the connection it prepares statements on).
        afterCreate: (conn: any, done: (err: Error | null, conn: any) => void) => {
          conn.pragma('journal_mode = WAL');
          conn.pragma('synchronous = FULL');
          conn.pragma(`busy_timeout = ${env.int('DATABASE_BUSY_TIMEOUT_MS', 10000)}`);
          const prepare = conn.prepare.bind(conn);
          conn.prepare = (sql: string) => prepare(/^\s*BEGIN\s*;?\s*$/i.test(sql) ? 'BEGIN IMMEDIATE;' : sql);
          done(null, conn);
        },
      },
    },
  };

  return {
    connection: {
      client,
      ...connections[client],
      acquireConnectionTimeout: env.int('DATABASE_CONNECTION_TIMEOUT', 60000),
    },
  };
};
