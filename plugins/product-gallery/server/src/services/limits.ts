import IORedis from 'ioredis';
import type { Core } from '@strapi/strapi';
import { getConfig } from '../utils/get-service';
import { createRequestBudget, createSharedRequestBudget, type RedisEval, type RequestBudget } from '../utils/rate-limit';

const MINUTE_MS = 60_000;
/** How long the first request after boot waits for Redis before counting in this process. */
const CONNECT_WAIT_MS = 2_000;
const WARN_EVERY_MS = 60_000;

/**
 * The request budgets the policies and the storefront spend: per admin (generation requests) and
 * per storefront client (lookups of slugs with nothing published). With REDIS_URL they are shared
 * by every instance, as the dispatcher's creation limit is; without Redis, or while it does not
 * answer, each instance counts on its own.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  let redis: IORedis | null = null;
  let shared: RedisEval | null = null;
  const budgets = new Map<string, RequestBudget>();
  let warnedAt = 0;
  const warn = (error: Error) => {
    if (Date.now() - warnedAt < WARN_EVERY_MS) return;
    warnedAt = Date.now();
    strapi.log.warn(`[product-gallery] request limits: Redis did not answer (${error.message}); counting in this instance until it does.`);
  };

  /** One connection for every budget; commands fail at once while it is down (no offline queue). */
  const redisEval = (url: string): RedisEval => {
    if (shared) return shared;
    const client = (redis = new IORedis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false }));
    client.on('error', warn);
    const ready = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, CONNECT_WAIT_MS);
      timer.unref();
      client.once('ready', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    shared = {
      async eval(script, numKeys, ...args) {
        await ready;
        return client.eval(script, numKeys, ...args);
      },
    };
    return shared;
  };

  const budget = (name: string, perMinute: number): RequestBudget | null => {
    if (perMinute <= 0) return null;
    const key = `${name}:${perMinute}`;
    let found = budgets.get(key);
    if (!found) {
      const local = createRequestBudget(perMinute, MINUTE_MS);
      const { redisUrl } = getConfig(strapi);
      const prefix = `${process.env.PRODUCT_GALLERY_QUEUE_PREFIX || 'product-gallery'}:budget:${name}`;
      found = redisUrl ? createSharedRequestBudget(redisEval(redisUrl), prefix, perMinute, MINUTE_MS, local, warn) : local;
      budgets.set(key, found);
    }
    return found;
  };

  return {
    /** Generation requests per admin and minute; null when unlimited. */
    generation: () => budget('generate', getConfig(strapi).limits.generatePerUserPerMinute),
    /** Storefront lookups of slugs with no published gallery, per client and minute; null when unlimited. */
    storefrontMisses: () => budget('storefront-misses', getConfig(strapi).gallery.missesPerClientPerMinute),
    close() {
      redis?.disconnect();
      redis = null;
      shared = null;
      budgets.clear();
    },
  };
};
