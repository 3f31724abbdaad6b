import crypto from 'node:crypto';

/** The PostgreSQL server the suites use (CI's service unless DATABASE_URL names another). */
export const pgUrl = () => process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';

const onPostgres = async (sql: string) => {
  const { Client } = require('pg');
  const client = new Client({ connectionString: pgUrl() });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
};

/** A new, empty schema in pgUrl()'s database: one app's tables, dropped with dropSchema. */
export const freshSchema = async () => {
  const schema = `t_${crypto.randomBytes(6).toString('hex')}`;
  await onPostgres(`CREATE SCHEMA ${schema}`);
  return schema;
};

export const dropSchema = (schema: string) => onPostgres(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
