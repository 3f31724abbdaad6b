import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import request from 'supertest';
import type { Core } from '@strapi/strapi';
import { dropSchema, freshSchema, pgUrl } from './postgres';

export const ROOT = path.resolve(__dirname, '../..');

export const isPostgres = () => process.env.DATABASE_CLIENT === 'postgres';

const secret = () => crypto.randomBytes(16).toString('base64');

export interface TestApp {
  strapi: Core.Strapi;
  http: ReturnType<typeof request>;
  /** Database location, to boot a second instance on the same data. */
  dbEnv: Record<string, string>;
  stop(opts?: { keepDatabase?: boolean }): Promise<void>;
}

const setEnv = (env: Record<string, string>) => {
  for (const [k, v] of Object.entries(env)) process.env[k] = v;
};

/** A throwaway database: a SQLite file in a temp dir, or a fresh PostgreSQL schema. */
export const freshDatabase = async (): Promise<Record<string, string>> => {
  if (!isPostgres()) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pg-test-'));
    // config/database.ts resolves the filename from the app root.
    return { DATABASE_CLIENT: 'sqlite', DATABASE_FILENAME: path.relative(ROOT, path.join(dir, 'data.db')) };
  }
  return { DATABASE_CLIENT: 'postgres', DATABASE_URL: pgUrl(), DATABASE_SCHEMA: await freshSchema() };
};

export const dropDatabase = async (dbEnv: Record<string, string>) => {
  if (dbEnv.DATABASE_CLIENT === 'postgres') {
    await dropSchema(dbEnv.DATABASE_SCHEMA);
  } else {
    fs.rmSync(path.dirname(path.join(ROOT, dbEnv.DATABASE_FILENAME)), { recursive: true, force: true });
  }
};

/** The app's own settings in tests (keys and salts); a process of the app started apart (the worker) needs them too. */
export const testAppEnv = (): Record<string, string> => ({
  NODE_ENV: 'test',
  APP_KEYS: `${secret()},${secret()}`,
  API_TOKEN_SALT: 'test-api-token-salt',
  ADMIN_JWT_SECRET: 'test-admin-jwt-secret',
  TRANSFER_TOKEN_SALT: 'test-transfer-token-salt',
  JWT_SECRET: 'test-jwt-secret',
  ENCRYPTION_KEY: 'test-encryption-key',
  STRAPI_TELEMETRY_DISABLED: 'true',
  BROWSER: 'none',
});

/**
 * Waits (up to 2 s) until no query is running or waiting for a connection. The document service
 * sends its entry events after commit without the caller waiting, and reads the entry again to do
 * so: a test that stops the app right after a write would destroy the pool under that read, and
 * Strapi's destroy then fails with "aborted".
 */
const settleQueries = async (strapi: Core.Strapi) => {
  const pool = (strapi.db?.connection as any)?.client?.pool;
  if (!pool) return;
  const busy = () => pool.numUsed() + pool.numPendingAcquires() + pool.numPendingCreates();
  const deadline = Date.now() + 2000;
  let quiet = 0;
  while (quiet < 3 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
    quiet = busy() ? 0 : quiet + 1;
  }
};

/** Boots the real app (built by `npm run build:server`) against the given or a fresh database. */
export const startApp = async (opts: { dbEnv?: Record<string, string>; env?: Record<string, string> } = {}): Promise<TestApp> => {
  const dbEnv = opts.dbEnv ?? (await freshDatabase());
  setEnv({ ...testAppEnv(), ...dbEnv, ...(opts.env ?? {}) });
  const { createStrapi } = require('@strapi/strapi');
  const strapi: Core.Strapi = createStrapi({ appDir: ROOT, distDir: path.join(ROOT, 'dist') });
  strapi.log.level = 'warn';
  try {
    await strapi.load();
  } catch (error) {
    // A boot that fails (a startup check) must not leave its database pool and timers behind.
    await strapi.destroy().catch(() => undefined);
    await dropDatabase(dbEnv).catch(() => undefined);
    throw error;
  }
  await strapi.server.mount();
  const http = request(strapi.server.httpServer);
  return {
    strapi,
    http,
    dbEnv,
    async stop({ keepDatabase = false } = {}) {
      await settleQueries(strapi);
      await strapi.destroy();
      if (!keepDatabase) await dropDatabase(dbEnv);
    },
  };
};

export interface AdminSession {
  token: string;
  user: { id: number; email: string };
  auth: { Authorization: string };
}

/** Creates an admin user with the given role code and logs in over HTTP. */
export const adminSession = async (
  app: TestApp,
  { roleCode = 'strapi-super-admin', email }: { roleCode?: string; email?: string } = {}
): Promise<AdminSession> => {
  const password = 'Test-password-1234';
  const address = email ?? `${roleCode}-${crypto.randomBytes(4).toString('hex')}@example.com`;
  const role = await app.strapi.db.query('admin::role').findOne({ where: { code: roleCode } });
  if (!role) throw new Error(`no admin role ${roleCode}`);
  await (app.strapi.service('admin::user') as any).create({
    email: address,
    firstname: 'Test',
    lastname: roleCode,
    password,
    isActive: true,
    registrationToken: null,
    roles: [role.id],
  });
  const res = await app.http.post('/admin/login').send({ email: address, password });
  if (res.status !== 200) throw new Error(`admin login failed: ${res.status} ${JSON.stringify(res.body)}`);
  const token = res.body.data.token ?? res.body.data.accessToken;
  return { token, user: res.body.data.user, auth: { Authorization: `Bearer ${token}` } };
};
