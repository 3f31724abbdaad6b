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

// The plugin reads its own settings from the environment (README: Configuration); an entry in
// its `config` here would win over the environment.
export default ({ env }) => ({
  ...uploadProvider(env),
  'product-gallery': {
    enabled: true,
    resolve: './plugins/product-gallery',
  },
});
