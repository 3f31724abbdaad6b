/**
 * Where Media Library files are served from with the S3 provider (config/plugins.ts): the admin's
 * Content Security Policy must let it show and play them.
 */
const storeOrigin = (env: any): string | null => {
  if (env('UPLOAD_PROVIDER', 'local') !== 'aws-s3') return null;
  const base = env('S3_PUBLIC_URL', '');
  if (base) return new URL(base).origin;
  const bucket = env('S3_BUCKET', '');
  const endpoint = env('S3_ENDPOINT', '');
  if (!endpoint) return `https://${bucket}.s3.${env('S3_REGION', 'us-east-1')}.amazonaws.com`;
  const url = new URL(endpoint);
  return env.bool('S3_FORCE_PATH_STYLE', false) ? url.origin : `${url.protocol}//${bucket}.${url.host}`;
};

const security = (env: any) => {
  const origin = storeOrigin(env);
  if (!origin) return 'strapi::security';
  return {
    name: 'strapi::security',
    config: {
      contentSecurityPolicy: {
        useDefaults: true,
        directives: {
          'connect-src': ["'self'", 'https:', origin],
          'img-src': ["'self'", 'data:', 'blob:', 'https://market-assets.strapi.io', origin],
          'media-src': ["'self'", 'data:', 'blob:', origin],
          upgradeInsecureRequests: null,
        },
      },
    },
  };
};

export default ({ env }) => [
  'strapi::logger',
  'strapi::errors',
  security(env),
  'strapi::cors',
  'strapi::poweredBy',
  'strapi::query',
  // The plugin turns on includeUnparsed itself (Replicate signs a webhook's exact bytes).
  'strapi::body',
  'strapi::session',
  'strapi::favicon',
  'strapi::public',
];
