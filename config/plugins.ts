export default ({ env }) => ({
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
      },
      redisUrl: env('REDIS_URL', ''),
      gallery: {
        public: env.bool('GALLERY_PUBLIC', true),
      },
    },
  },
});
