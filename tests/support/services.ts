import { spawnSync } from 'node:child_process';

/** Whether something listens on the URL's host and port (checked synchronously, before jest collects the tests). */
export const listening = (url: string, defaultPort: number) => {
  const u = new URL(url);
  const script = `require('net').connect(${Number(u.port || defaultPort)}, ${JSON.stringify(u.hostname)}).on('connect', () => process.exit(0)).on('error', () => process.exit(1))`;
  return spawnSync(process.execPath, ['-e', script], { timeout: 3000 }).status === 0;
};

export const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
export const redisListening = () => listening(REDIS_URL, 6379);
export const postgresListening = () => listening(process.env.DATABASE_URL || 'postgres://127.0.0.1:5432', 5432);

const SERVICE_NAMES = { postgres: `PostgreSQL (${new URL(process.env.DATABASE_URL || 'postgres://127.0.0.1:5432').host})`, redis: `Redis (${new URL(REDIS_URL).host})` } as const;

/**
 * `describe` for a suite that needs services: when one is not listening the suite says it is
 * skipped and why, except under CI=true, where it fails instead (CI must never skip it).
 */
export const describeWithServices = (suite: string, needs: Array<keyof typeof SERVICE_NAMES>): jest.Describe => {
  const up = { postgres: postgresListening, redis: redisListening };
  const missing = needs.filter((name) => !up[name]());
  if (!missing.length) return describe;
  const why = `needs ${missing.map((name) => SERVICE_NAMES[name]).join(' and ')} (.ci/run starts them)`;
  if (process.env.CI === 'true') {
    const failing = ((name: string) =>
      describe(name, () => {
        it(`has ${missing.join(' and ')}`, () => {
          throw new Error(`[${suite}] ${why}: under CI=true it must run, not be skipped`);
        });
      })) as unknown as jest.Describe;
    return failing;
  }
  console.warn(`[${suite}] skipped: ${why}`);
  return describe.skip;
};
