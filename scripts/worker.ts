/**
 * `npm run worker`: the same app without an HTTP server, doing generation work only. Run it
 * beside API instances started with PRODUCT_GALLERY_WORKER=false (and REDIS_URL for BullMQ),
 * so that image work scales apart from the API. Without REDIS_URL (SQLite, one database) only
 * one process may dispatch: a worker that finds another one dispatching stops with why.
 */
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');

const main = async () => {
  process.env.PRODUCT_GALLERY_WORKER = 'true';
  const { createStrapi } = require('@strapi/strapi');
  const strapi = createStrapi({ appDir: ROOT, distDir: path.join(ROOT, 'dist') });
  await strapi.load();
  const other = strapi.plugin('product-gallery').service('dispatch').standingBy();
  if (other) {
    strapi.log.error(
      `[product-gallery] worker not started: another process (${other}) already dispatches generation work on this database. ` +
        'Without REDIS_URL one process dispatches per database: restart the app with PRODUCT_GALLERY_WORKER=false, then start the worker again.'
    );
    await strapi.destroy();
    process.exit(1);
  }
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
