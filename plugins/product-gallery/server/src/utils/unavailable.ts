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
const PG_MESSAGES = /Connection terminated|Client has encountered a connection error|Connection ended unexpectedly|the database system is (starting up|shutting down)/i;
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

const WHAT: Record<Dependency | 'service', string> = {
  database: 'The database',
  redis: 'The job queue (Redis)',
  'object store': 'The file store',
  service: 'A service this app depends on',
};

/** What an editor is told: the request did not complete, and it is worth trying again. */
export const unavailableMessage = (dependency: Dependency | 'service') =>
  `${WHAT[dependency]} cannot be reached right now, so this request could not be completed. Try again in a moment; queued image work resumes by itself once it is back.`;
