/**
 * Media Library storage. Local disk (public/uploads) by default; `UPLOAD_PROVIDER=aws-s3` stores
 * every file in an S3-compatible bucket through Strapi's own provider, which several instances
 * need (each must read what another stored). Files are served from the bucket's URL (or
 * `S3_PUBLIC_URL`, a CDN in front of it), so the bucket must let anyone read them: storefronts
 * load gallery images from there, and the plugin reads stored files back over that URL.
 */
const uploadProvider = (env: any) => {
  if (env('UPLOAD_PROVIDER', 'local') !== 'aws-s3') return {};
  const accessKeyId = env('S3_ACCESS_KEY_ID', '');
  return {
    upload: {
      config: {
        provider: 'aws-s3',
        providerOptions: {
          baseUrl: env('S3_PUBLIC_URL', '') || undefined,
          rootPath: env('S3_ROOT_PATH', '') || undefined,
          s3Options: {
            // Without keys, the AWS SDK's own chain (instance role, AWS_* variables) is used.
            ...(accessKeyId ? { credentials: { accessKeyId, secretAccessKey: env('S3_SECRET_ACCESS_KEY', '') } } : {}),
            region: env('S3_REGION', 'us-east-1'),
            endpoint: env('S3_ENDPOINT', '') || undefined,
            // Path-style (`endpoint/bucket/key`): MinIO, Ceph and most stores that are not AWS.
            forcePathStyle: env.bool('S3_FORCE_PATH_STYLE', false),
            // Checksums only where S3 requires them: stores that are not AWS often refuse the
            // streamed checksum trailers the SDK now sends by default.
            requestChecksumCalculation: 'WHEN_REQUIRED',
            responseChecksumValidation: 'WHEN_REQUIRED',
            params: {
              Bucket: env('S3_BUCKET'),
              // Empty: no ACL header (buckets with ACLs disabled, Cloudflare R2); readability is then the bucket policy's.
              ACL: env('S3_ACL', 'public-read') || undefined,
            },
          },
        },
      },
    },
  };
};

export default ({ env }) => ({
  ...uploadProvider(env),
  'product-gallery': {
    enabled: true,
    resolve: './plugins/product-gallery',
    config: {
      replicate: {
        apiToken: env('REPLICATE_API_TOKEN', ''),
        baseUrl: env('REPLICATE_BASE_URL', 'https://api.replicate.com/v1'),
        allowedOutputHosts: env.array('REPLICATE_ALLOWED_OUTPUT_HOSTS', ['replicate.delivery', '*.replicate.delivery']),
        webhookBaseUrl: env('REPLICATE_WEBHOOK_BASE_URL', ''),
        webhookSecret: env('REPLICATE_WEBHOOK_SECRET', ''),
        pollIntervalMs: env.int('REPLICATE_POLL_INTERVAL_MS', 1000),
        preferWaitSec: env.int('REPLICATE_PREFER_WAIT_SEC', 60),
        requestTimeoutMs: env.int('REPLICATE_REQUEST_TIMEOUT_MS', 30000),
        downloadTimeoutMs: env.int('REPLICATE_DOWNLOAD_TIMEOUT_MS', 60000),
        deadlineMs: env.int('REPLICATE_PREDICTION_DEADLINE_MS', 600000),
        webhookPollMs: env.int('REPLICATE_WEBHOOK_POLL_MS', 60000),
        httpAttempts: env.int('REPLICATE_HTTP_ATTEMPTS', 5),
      },
      redisUrl: env('REDIS_URL', ''),
      dispatch: {
        // PRODUCT_GALLERY_WORKER=false: this instance serves HTTP only; run `npm run worker` for the image work.
        worker: env.bool('PRODUCT_GALLERY_WORKER', true),
        concurrency: env.int('PRODUCT_GALLERY_CONCURRENCY', 4),
        creationsPerMinute: env.int('REPLICATE_CREATIONS_PER_MINUTE', 600),
        maxAttempts: env.int('PRODUCT_GALLERY_MAX_ATTEMPTS', 4),
        baseBackoffMs: env.int('PRODUCT_GALLERY_BACKOFF_MS', 2000),
        tickMs: env.int('PRODUCT_GALLERY_TICK_MS', 500),
      },
      costs: {
        // USD; model prices are in the plugin's config (costs.modelPrices).
        perProductCap: env.float('PRODUCT_GALLERY_COST_CAP_PER_PRODUCT', 2),
        perDayCap: env.float('PRODUCT_GALLERY_COST_CAP_PER_DAY', 50),
        perUserDayCap: env.float('PRODUCT_GALLERY_COST_CAP_PER_USER_PER_DAY', 20),
      },
      pipeline: {
        workerThreads: env.int('PRODUCT_GALLERY_PIPELINE_THREADS', 1),
        maxQueue: env.int('PRODUCT_GALLERY_PIPELINE_QUEUE', 16),
        storedReadTimeoutMs: env.int('PRODUCT_GALLERY_STORED_READ_TIMEOUT_MS', 30000),
      },
      gallery: {
        public: env.bool('GALLERY_PUBLIC', true),
        cacheMaxAge: env.int('GALLERY_CACHE_MAX_AGE', 60),
        missesPerClientPerMinute: env.int('GALLERY_MISSES_PER_CLIENT_PER_MINUTE', 600),
      },
      limits: {
        generatePerUserPerMinute: env.int('PRODUCT_GALLERY_GENERATE_PER_USER_PER_MINUTE', 30),
      },
    },
  },
});
