/**
 * Several app instances deployed as an operator runs them (README, "Deployment: several
 * instances"): one PostgreSQL database, BullMQ on one Redis, one S3-compatible object store
 * (Strapi's aws-s3 upload provider), each instance a Strapi process of its own (app-process.ts),
 * all against the fake Replicate server. For the scale, fault and load suites.
 */
import crypto from 'node:crypto';
import path from 'node:path';
import { appEnvFor, startFakeReplicate, type FakeReplicate, type Scenario } from './fake-replicate';
import { freshDatabase, dropDatabase, ROOT } from './strapi';
import { spawnChild, type Child } from './rpc';
import { REDIS_URL } from './services';
import { startS3Server, type S3Server } from './s3-server';

export interface Instance {
  name: string;
  child: Child;
  /** Its HTTP port on 127.0.0.1. */
  port: number;
  url: string;
}

export interface Cluster {
  fake: FakeReplicate;
  s3: S3Server;
  /** The shared database (a fresh PostgreSQL schema). */
  dbEnv: Record<string, string>;
  /** Every instance's environment. */
  env: Record<string, string>;
  /** BullMQ's key prefix in Redis, this cluster's own. */
  prefix: string;
  /** Boots one more instance (one at a time: the first boot creates the schema). */
  start(name: string, env?: Record<string, string>): Promise<Instance>;
  /** SIGKILL: no shutdown code runs, leases and jobs are left as they were. */
  kill(instance: Instance): Promise<void>;
  /** A query on the shared database (direct, not through any proxy a test may cut). */
  sql<T = any>(text: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

export const startCluster = async (opts: { scenario?: Partial<Scenario>; env?: Record<string, string> } = {}): Promise<Cluster> => {
  const fake = await startFakeReplicate({ log: true, scenario: { startDelayMs: 0, ...opts.scenario } });
  const s3 = await startS3Server();
  const previous = process.env.DATABASE_CLIENT;
  process.env.DATABASE_CLIENT = 'postgres';
  const dbEnv = await freshDatabase().finally(() => {
    if (previous === undefined) delete process.env.DATABASE_CLIENT;
    else process.env.DATABASE_CLIENT = previous;
  });
  const prefix = `pg-test-${crypto.randomBytes(4).toString('hex')}`;
  const env: Record<string, string> = {
    ...appEnvFor(fake),
    ...s3.appEnv(),
    REDIS_URL,
    PRODUCT_GALLERY_QUEUE_PREFIX: prefix,
    PRODUCT_GALLERY_WORKER: 'true',
    PRODUCT_GALLERY_PIPELINE_THREADS: '1',
    PRODUCT_GALLERY_TICK_MS: '200',
    REPLICATE_POLL_INTERVAL_MS: '200',
    // One test admin asks for a whole catalogue's shots at once: the per-admin budget
    // (tests/api/user-limits.test.ts) is not what these suites measure.
    PRODUCT_GALLERY_GENERATE_PER_USER_PER_MINUTE: '0',
    ...opts.env,
  };
  const { Client } = require('pg');
  const db = new Client({ connectionString: dbEnv.DATABASE_URL });
  await db.connect();
  await db.query(`SET search_path TO ${dbEnv.DATABASE_SCHEMA}`);
  const children: Child[] = [];

  return {
    fake,
    s3,
    dbEnv,
    env,
    prefix,
    async start(name, extra = {}) {
      const child = spawnChild(name, path.join(ROOT, 'tests', 'support', 'app-process.ts'));
      children.push(child);
      const booted = await child.call('boot', { dbEnv, env: { ...env, ...extra } }, 240_000);
      return { name, child, port: booted.port, url: `http://127.0.0.1:${booted.port}` };
    },
    async kill(instance) {
      const exited = new Promise((resolve) => instance.child.proc.once('exit', resolve));
      instance.child.proc.kill('SIGKILL');
      await exited;
    },
    async sql(text, params) {
      return (await db.query(text, params)).rows;
    },
    async close() {
      for (const c of children) await c.close().catch(() => undefined);
      await db.end().catch(() => undefined);
      await fake.close();
      await s3.close();
      await dropDatabase(dbEnv).catch(() => undefined);
      const IORedis = require('ioredis');
      const redis = new IORedis(REDIS_URL, { maxRetriesPerRequest: 1 });
      const keys: string[] = await redis.keys(`${prefix}:*`);
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
    },
  };
};

/** Each asset's terminal audit events (drafted or failed), from the shared database. */
export const terminalEvents = async (cluster: Cluster) =>
  cluster.sql<{ asset: string; to: string; n: number }>(
    `SELECT asset, "to", count(*)::int AS n FROM pg_audit_events WHERE "to" IN ('draft', 'failed') GROUP BY asset, "to"`
  );

/**
 * The category's brief asks for no more than the default model's ~1 MP answers (long edge 1000),
 * so a shot is one prediction and no upscale: keeps these suites about dispatch, not pixels.
 */
export const oneMegapixelShots = async (instance: Instance, category: string) => {
  const list = await instance.child.call('adminRequest', { method: 'GET', path: '/product-gallery/briefs' });
  const brief = list.body.data.find((b: any) => (b.categories ?? []).includes(category));
  if (!brief) throw new Error(`no brief for ${category}`);
  const roles = brief.roles.map(({ id: _id, ...spec }: any) => (spec.generator === 'local' ? spec : { ...spec, minLongEdge: 1000 }));
  const res = await instance.child.call('adminRequest', { method: 'PUT', path: `/product-gallery/briefs/${brief.documentId}`, body: { roles } });
  if (res.status !== 200) throw new Error(`brief update: ${res.status} ${JSON.stringify(res.body).slice(0, 400)}`);
};
