import type { Core } from '@strapi/strapi';
import { UID } from '../../domain/vocabulary';

const NAME = 'dispatcher';
export const DISPATCHER_LOCK_MS = 30_000;

/**
 * One dispatcher per database when instances share no queue (no REDIS_URL: on SQLite, an app and
 * `npm run worker` beside it). Two would each keep their own creation rate limit (twice
 * Replicate's) and compete for SQLite's single writer. The lock is a row held under a lease the
 * holder renews; a holder that dies lets it lapse, and a process standing by takes it then.
 */
export function createDispatcherLock(strapi: Core.Strapi, owner: string) {
  const locks = () => strapi.db.query(UID.dispatcherLock);
  const until = () => new Date(Date.now() + DISPATCHER_LOCK_MS);

  const take = async (where: Record<string, unknown>) =>
    (await locks().updateMany({ where: { name: NAME, ...where }, data: { owner, expiresAt: until() } })).count === 1;

  return {
    /** Takes or renews the lock: null when taken, else who holds it. */
    async acquire(): Promise<string | null> {
      if (await take({ $or: [{ owner }, { owner: null }, { expiresAt: { $lt: new Date() } }] })) return null;
      const row = await locks().findOne({ where: { name: NAME } });
      if (row) return row.owner ?? 'another process';
      try {
        await locks().createMany({ data: [{ name: NAME, owner, expiresAt: until() }] });
        return null;
      } catch {
        // Another process created it at the same moment (the name is unique).
        return (await locks().findOne({ where: { name: NAME } }))?.owner ?? 'another process';
      }
    },
    /** false: the lock lapsed and someone else has it now. */
    renew: () => take({ owner }),
    release: () => locks().updateMany({ where: { name: NAME, owner }, data: { owner: null, expiresAt: null } }),
  };
}
