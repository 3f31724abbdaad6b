/**
 * `npm run worker`: the same app without an HTTP server, doing generation work only. Run it
 * beside API instances started with PRODUCT_GALLERY_WORKER=false (and REDIS_URL for BullMQ),
 * so that image work scales apart from the API.
 */
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');

const main = async () => {
  process.env.PRODUCT_GALLERY_WORKER = 'true';
  const { createStrapi } = require('@strapi/strapi');
  const strapi = createStrapi({ appDir: ROOT, distDir: path.join(ROOT, 'dist') });
  await strapi.load();
  strapi.log.info('[product-gallery] worker started (no HTTP server)');
  const stop = async () => {
    await strapi.destroy();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
};

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
