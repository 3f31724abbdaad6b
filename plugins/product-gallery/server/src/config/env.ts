/**
 * The plugin's settings from the environment, so a host app needs no mapping of its own: each
 * variable of the README's configuration table, at its place in the config. Only variables that
 * are set (and not empty) appear, so the schema's defaults fill the rest and the host's
 * config/plugins.ts, merged over this by Strapi, wins wherever it says something.
 */
type Kind = 'string' | 'int' | 'float' | 'bool' | 'list';

const VARIABLES: ReadonlyArray<readonly [string, string, Kind]> = [
  ['REPLICATE_API_TOKEN', 'replicate.apiToken', 'string'],
  ['REPLICATE_BASE_URL', 'replicate.baseUrl', 'string'],
  ['REPLICATE_ALLOWED_OUTPUT_HOSTS', 'replicate.allowedOutputHosts', 'list'],
  ['REPLICATE_WEBHOOK_BASE_URL', 'replicate.webhookBaseUrl', 'string'],
  ['REPLICATE_WEBHOOK_SECRET', 'replicate.webhookSecret', 'string'],
  ['REPLICATE_POLL_INTERVAL_MS', 'replicate.pollIntervalMs', 'int'],
  ['REPLICATE_PREFER_WAIT_SEC', 'replicate.preferWaitSec', 'int'],
  ['REPLICATE_REQUEST_TIMEOUT_MS', 'replicate.requestTimeoutMs', 'int'],
  ['REPLICATE_DOWNLOAD_TIMEOUT_MS', 'replicate.downloadTimeoutMs', 'int'],
  ['REPLICATE_PREDICTION_DEADLINE_MS', 'replicate.deadlineMs', 'int'],
  ['REPLICATE_WEBHOOK_POLL_MS', 'replicate.webhookPollMs', 'int'],
  ['REPLICATE_HTTP_ATTEMPTS', 'replicate.httpAttempts', 'int'],
  ['REDIS_URL', 'redisUrl', 'string'],
  ['PRODUCT_GALLERY_WORKER', 'dispatch.worker', 'bool'],
  ['PRODUCT_GALLERY_CONCURRENCY', 'dispatch.concurrency', 'int'],
  ['REPLICATE_CREATIONS_PER_MINUTE', 'dispatch.creationsPerMinute', 'int'],
  ['PRODUCT_GALLERY_MAX_ATTEMPTS', 'dispatch.maxAttempts', 'int'],
  ['PRODUCT_GALLERY_BACKOFF_MS', 'dispatch.baseBackoffMs', 'int'],
  ['PRODUCT_GALLERY_TICK_MS', 'dispatch.tickMs', 'int'],
  ['PRODUCT_GALLERY_COST_CAP_PER_PRODUCT', 'costs.perProductCap', 'float'],
  ['PRODUCT_GALLERY_COST_CAP_PER_DAY', 'costs.perDayCap', 'float'],
  ['PRODUCT_GALLERY_COST_CAP_PER_USER_PER_DAY', 'costs.perUserDayCap', 'float'],
  ['PRODUCT_GALLERY_PIPELINE_THREADS', 'pipeline.workerThreads', 'int'],
  ['PRODUCT_GALLERY_PIPELINE_QUEUE', 'pipeline.maxQueue', 'int'],
  ['PRODUCT_GALLERY_STORED_READ_TIMEOUT_MS', 'pipeline.storedReadTimeoutMs', 'int'],
  ['GALLERY_PUBLIC', 'gallery.public', 'bool'],
  ['GALLERY_CACHE_MAX_AGE', 'gallery.cacheMaxAge', 'int'],
  ['GALLERY_MISSES_PER_CLIENT_PER_MINUTE', 'gallery.missesPerClientPerMinute', 'int'],
  ['PRODUCT_GALLERY_GENERATE_PER_USER_PER_MINUTE', 'limits.generatePerUserPerMinute', 'int'],
];

const parse = (name: string, raw: string, kind: Kind): unknown => {
  switch (kind) {
    case 'string':
      return raw;
    // A comma-separated string, not an array: Strapi merges the host's config over this one index
    // by index for arrays, so a host's shorter list would keep this one's tail. The schema splits it.
    case 'list':
      return raw;
    case 'bool':
      if (raw === 'true' || raw === 'false') return raw === 'true';
      throw new Error(`product-gallery config: ${name} must be true or false, not "${raw}".`);
    case 'int':
    case 'float': {
      const value = Number(raw);
      if (Number.isFinite(value) && (kind === 'float' || Number.isInteger(value))) return value;
      throw new Error(`product-gallery config: ${name} must be a ${kind === 'int' ? 'whole ' : ''}number, not "${raw}".`);
    }
  }
};

/** The part of the plugin's config that the given environment sets. */
export const configFromEnv = (env: Record<string, string | undefined>): Record<string, unknown> => {
  const config: Record<string, any> = {};
  for (const [name, path, kind] of VARIABLES) {
    const raw = env[name]?.trim();
    if (!raw) continue;
    const keys = path.split('.');
    let node = config;
    for (const key of keys.slice(0, -1)) node = node[key] ??= {};
    node[keys[keys.length - 1]] = parse(name, raw, kind);
  }
  return config;
};

