import type { Core } from '@strapi/strapi';
import { removeUploadedFiles } from '../utils/uploads';

/**
 * Deletes every temp file of a multipart request to the plugin's routes, admin and content API,
 * however it ends (refused by authentication, invalid, failed or served): Strapi parses the body
 * before routing and deletes only a field named `files`. Controllers read their uploads within the
 * request and never clean up themselves.
 */
export const registerUploadCleanup = (strapi: Core.Strapi) => {
  const apiPrefix = String(strapi.config.get('api.rest.prefix', '/api')).replace(/\/$/, '');
  const prefixes = ['/product-gallery/', `${apiPrefix}/product-gallery/`];
  strapi.server.use(async (ctx: any, next: () => Promise<unknown>) => {
    // The body is parsed by now: a request with no files has none to delete (every storefront read).
    if (!ctx.request.files || !prefixes.some((prefix) => ctx.path.startsWith(prefix))) return next();
    try {
      await next();
    } finally {
      await removeUploadedFiles(ctx);
    }
  });
};
