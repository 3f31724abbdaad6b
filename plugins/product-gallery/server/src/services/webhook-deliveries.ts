import type { Core } from '@strapi/strapi';
import { UID } from '../domain/vocabulary';

/** Longer than the signature's 5-minute tolerance (an older replay is refused by its timestamp anyway). */
const KEEP_MS = 60 * 60 * 1000;
const PURGE_EVERY_MS = 5 * 60 * 1000;
const TERMINAL = ['succeeded', 'failed', 'canceled', 'aborted'];

/** A unique-index violation: the delivery id is recorded already (by this or another instance). */
const isDuplicate = (error: any) =>
  error?.code === '23505' || String(error?.code ?? '').startsWith('SQLITE_CONSTRAINT') || /unique constraint|UNIQUE constraint failed/i.test(String(error?.message ?? ''));

/**
 * The Replicate webhook deliveries processed, by `webhook-id`, in the database so every instance
 * sees them: a replay (the same id again, inside the signature's tolerance) is acknowledged
 * without being processed twice. They also say which predictions have completed, for a dispatcher
 * that parks an asset just after its completion was delivered.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const deliveries = () => strapi.db.query(UID.webhookDelivery);
  let purgedAt = 0;

  return {
    /**
     * Records the delivery and runs `process` in one transaction: `false` (and nothing processed)
     * when the id was recorded already. A `process` that fails rolls the record back, so
     * Replicate's retry of the same delivery is processed.
     */
    async once(delivery: { webhookId: string; predictionId: string; status: string }, process: () => Promise<void>): Promise<boolean> {
      if (Date.now() - purgedAt > PURGE_EVERY_MS) {
        purgedAt = Date.now();
        await deliveries().deleteMany({ where: { receivedAt: { $lt: new Date(Date.now() - KEEP_MS) } } });
      }
      try {
        await strapi.db.transaction(async () => {
          await deliveries().createMany({ data: [{ ...delivery, receivedAt: new Date() }] });
          await process();
        });
        return true;
      } catch (error) {
        if (isDuplicate(error)) return false;
        throw error;
      }
    },

    /** Whether a completion of this prediction was delivered. */
    async completed(predictionId: string): Promise<boolean> {
      return (await deliveries().count({ where: { predictionId, status: { $in: TERMINAL } } })) > 0;
    },
  };
};
