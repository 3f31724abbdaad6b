import type { Core } from '@strapi/strapi';
import { getConfig } from './get-service';

/**
 * Errors that say a service this app depends on is unreachable for now (the database, Redis, the
 * object store), as opposed to a bug or bad input: the request can succeed again once the service
 * is back, so an editor is told so (503) instead of getting a 500, and work is retried.
 */
export type Dependency = 'database' | 'redis' | 'object store';

/** Socket-level failures: the peer is down, restarting, or the network between is cut. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ECONNABORTED']);
/**
 * PostgreSQL SQLSTATEs of an unavailable server: class 08 (connection exception), 57P01-57P03
 * (shutting down, crash shutdown, cannot connect now), 53300 (too many connections).
 */
const PG_UNAVAILABLE = /^(08...|57P0[123]|53300)$/;
const PG_MESSAGES = /Connection terminated|terminating connection|Client has encountered a connection error|Connection ended unexpectedly|the database system is (starting up|shutting down)/i;
const REDIS_MESSAGES = /^(Connection is closed\.|Stream isn't writeable|Reached the max retries per request limit)/;

/** The error and every error it wraps (cause chains, AggregateError, knex's nativeError). */
const chain = (error: unknown): any[] => {
  const seen: any[] = [];
  const visit = (e: any) => {
    if (!e || typeof e !== 'object' || seen.includes(e) || seen.length > 20) return;
    seen.push(e);
    visit(e.cause);
    visit(e.nativeError);
    visit(e.originalError);
    if (Array.isArray(e.errors)) e.errors.forEach(visit);
  };
  visit(error);
  return seen;
};

const dependencyOf = (e: any): Dependency | null | undefined => {
  const name = String(e.name ?? '');
  const message = String(e.message ?? '');
  // AWS SDK (only the S3 upload provider uses it here): a 5xx, or no answer at all.
  if (e.$metadata && typeof e.$metadata === 'object') {
    const status = e.$metadata.httpStatusCode;
    return status === undefined || status >= 500 ? 'object store' : null;
  }
  if (name === 'KnexTimeoutError' || PG_MESSAGES.test(message)) return 'database';
  if (typeof e.code === 'string' && PG_UNAVAILABLE.test(e.code) && 'severity' in e) return 'database';
  if (name === 'MaxRetriesPerRequestError' || REDIS_MESSAGES.test(message)) return 'redis';
  return undefined;
};

/** Where each dependency listens, to name the one a refused connection was for. */
export type Endpoints = Partial<Record<Dependency, { port: number }>>;

/**
 * Which dependency `error` says is unreachable; `'service'` when it is a network failure of
 * unknown origin; null when it is something else. A socket error names only an address, so it is
 * matched against `endpoints`.
 */
export const unavailableDependency = (error: unknown, endpoints: Endpoints = {}): Dependency | 'service' | null => {
  const errors = chain(error);
  for (const e of errors) {
    const found = dependencyOf(e);
    if (found !== undefined) return found;
  }
  const network = errors.find((e) => NETWORK_CODES.has(e.code));
  if (!network) return null;
  const byPort = (Object.keys(endpoints) as Dependency[]).find((d) => endpoints[d]!.port === Number(network.port));
  return byPort ?? 'service';
};

/** SQLite busy or locked by another process's write; PostgreSQL serialization failure or deadlock. */
const SQLITE_BUSY = /^SQLITE_(BUSY|LOCKED)/;
const SQLITE_MESSAGES = /database is locked|database table is locked/i;
const PG_CONFLICT = /^(40001|40P01)$/;

/**
 * Errors that say nothing about the work, only about the moment: a dependency unreachable, or the
 * database busy with another writer. The same work is tried again later, and the try is not held
 * against it (an outage of any length must not fail an image).
 */
export const isMomentary = (error: unknown, endpoints: Endpoints): boolean =>
  // A named dependency only: a socket error of unknown origin (an output host, say) is the work's own.
  (unavailableDependency(error, endpoints) ?? 'service') !== 'service' ||
  chain(error).some((e) => {
    const code = typeof e.code === 'string' ? e.code : '';
    return SQLITE_BUSY.test(code) || (PG_CONFLICT.test(code) && 'severity' in e) || SQLITE_MESSAGES.test(String(e.message ?? ''));
  });

/** The port a URL (or a `host:port`) names, with the scheme's default. */
export const portOf = (url: string | undefined, fallback: number): { port: number } | undefined => {
  if (!url) return undefined;
  try {
    const u = new URL(url.includes('://') ? url : `tcp://${url}`);
    return { port: Number(u.port) || (u.protocol === 'https:' ? 443 : u.protocol === 'http:' ? 80 : fallback) };
  } catch {
    return undefined;
  }
};

/** Where the database, Redis and the object store listen, from the app's configuration. */
export const endpointsOf = (strapi: Core.Strapi): Endpoints => {
  const db = (strapi.config.get('database') as any)?.connection?.connection ?? {};
  const upload = strapi.config.get('plugin::upload') as any;
  return {
    database: typeof db === 'object' ? portOf(db.connectionString, 5432) ?? (db.port ? { port: Number(db.port) } : undefined) : undefined,
    redis: portOf(getConfig(strapi).redisUrl || undefined, 6379),
    'object store': portOf(upload?.providerOptions?.s3Options?.endpoint, 443),
  };
};

const WHAT: Record<Dependency | 'service', string> = {
  database: 'The database',
  redis: 'The job queue (Redis)',
  'object store': 'The file store',
  service: 'A service this app depends on',
};

/** What an editor is told: the request did not complete, and it is worth trying again. */
export const unavailableMessage = (dependency: Dependency | 'service') =>
  `${WHAT[dependency]} cannot be reached right now, so this request could not be completed. Try again in a moment; queued image work resumes by itself once it is back.`;
