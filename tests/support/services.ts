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
