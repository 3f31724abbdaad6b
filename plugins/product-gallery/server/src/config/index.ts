import { z } from 'zod';
import { createModelRegistry } from '../models';
import { configFromEnv } from './env';
import { DEFAULT_ALLOWED_OUTPUT_HOSTS, DEFAULT_BASE_URL } from '../replicate/config';

/** A list from the environment comes as one comma-separated string (see env.ts). */
const hostList = z.preprocess(
  (value) => (typeof value === 'string' ? value.split(',').map((item) => item.trim()).filter(Boolean) : value),
  z.array(z.string().min(1))
);

/** Plugin configuration: from the environment (env.ts), then the app's config/plugins.ts over it. */
export const configSchema = z.object({
  replicate: z
    .object({
      apiToken: z.string().default(''),
      baseUrl: z.string().url().default(DEFAULT_BASE_URL),
      allowedOutputHosts: hostList.default([...DEFAULT_ALLOWED_OUTPUT_HOSTS]),
      webhookBaseUrl: z.string().default(''),
      webhookSecret: z.string().default(''),
      pollIntervalMs: z.number().int().positive().default(1000),
      /**
       * Without a webhook, a creation asks Replicate to hold its answer up to this many seconds
       * (`Prefer: wait=N`) until the prediction is done: most answers carry the output, no polling
       * needed (Replicate allows 3000 reads a minute in all). 0: answer at once, then poll.
       */
      preferWaitSec: z.number().int().min(0).max(60).default(60),
      requestTimeoutMs: z.number().int().positive().default(30_000),
      downloadTimeoutMs: z.number().int().positive().default(60_000),
      /** Attempts per HTTP call inside the gateway (429/5xx/network), before the dispatcher's own retries. */
      httpAttempts: z.number().int().positive().default(5),
      deadlineMs: z.number().int().positive().default(10 * 60 * 1000),
      /**
       * With webhooks, a parked prediction is read once this often until its deadline, in case its
       * webhook never comes (Replicate gave up delivering, the endpoint was down).
       */
      webhookPollMs: z.number().int().positive().default(60_000),
    })
    .prefault({}),
  redisUrl: z.string().default(''),
  dispatch: z
    .object({
      /** Replicate's default is 600 prediction creations per minute. */
      creationsPerMinute: z.number().int().positive().default(600),
      concurrency: z.number().int().positive().default(4),
      maxAttempts: z.number().int().positive().default(4),
      baseBackoffMs: z.number().int().positive().default(2000),
      maxBackoffMs: z.number().int().positive().default(5 * 60 * 1000),
      /** Poll the database for due work this often (single-process mode). */
      tickMs: z.number().int().positive().default(500),
      /** Set false to run an API-only instance; a separate worker process does the image work. */
      worker: z.boolean().default(true),
    })
    .prefault({}),
  costs: z
    .object({
      perProductCap: z.number().nonnegative().default(2),
      perDayCap: z.number().nonnegative().default(50),
      /** USD an admin's own shots may spend in a UTC day; 0: no per-admin cap (the day's cap still holds). */
      perUserDayCap: z.number().nonnegative().default(20),
    })
    .prefault({}),
  /**
   * Replicate models beyond the built-in ones (or replacing one by id, e.g. a new price), each
   * described as the built-ins are: photo field, ratios, output shape, official or version, input
   * limits and price. Checked at boot: a model without a price is refused.
   */
  models: z.array(z.unknown()).default([]),
  pipeline: z
    .object({
      maxBytes: z.number().int().positive().default(25 * 1024 * 1024),
      maxPixels: z.number().int().positive().default(50_000_000),
      minShortSide: z.number().int().positive().default(500),
      workerThreads: z.number().int().positive().default(1),
      /** Requests doing image work (imports, packs, analyses, cutouts, difference maps) that may wait for the pipeline beyond the ones it is running; more get a 503. */
      maxQueue: z.number().int().nonnegative().default(16),
      /** How long the upload provider may take to deliver a stored file (S3 and the like) before it is treated as down. */
      storedReadTimeoutMs: z.number().int().positive().default(30_000),
    })
    .prefault({}),
  gallery: z
    .object({
      /** Grant the Public role read access to galleries on first boot. */
      public: z.boolean().default(true),
      cacheMaxAge: z.number().int().nonnegative().default(60),
      /**
       * Lookups of slugs with no published gallery (unknown, or nothing published yet) a client
       * may make per minute before every lookup of theirs is answered 429; 0: no limit. Known
       * galleries never count: a storefront asking for what it sells is never slowed.
       */
      missesPerClientPerMinute: z.number().int().nonnegative().default(600),
    })
    .prefault({}),
  limits: z
    .object({
      /** Generation requests (generate, regenerate, import, re-analysis, AI cutout) per admin per minute; 0: no limit. */
      generatePerUserPerMinute: z.number().int().nonnegative().default(30),
    })
    .prefault({}),
});

export type PluginConfig = z.infer<typeof configSchema>;

export default {
  // Only what the environment sets: the schema's defaults are applied when the config is read, so a
  // default never hides a host's value in Strapi's merge (arrays merge there index by index).
  default: () => configFromEnv(process.env),
  validator: (config: unknown) => {
    const result = configSchema.safeParse(config);
    if (!result.success) {
      const issue = result.error.issues[0];
      throw new Error(`product-gallery config: ${issue.path.join('.')}: ${issue.message}`);
    }
    try {
      createModelRegistry(result.data.models);
    } catch (error) {
      throw new Error(`product-gallery config: ${(error as Error).message}`);
    }
  },
};
