import type { Core } from '@strapi/strapi';
import { httpStatusError } from '../utils/errors';
import { endpointsOf, unavailableDependency, unavailableMessage } from '../utils/unavailable';

const NAME = 'plugin::product-gallery.unavailable';
/** Seconds a client is asked to wait before trying again. */
const RETRY_AFTER_SEC = 5;

/**
 * A request that fails because the database, Redis or the object store is unreachable answers
 * 503 with what is down and Retry-After, not Strapi's bare 500: the editor learns it is worth
 * trying again, and a storefront or a proxy can retry or serve what it has cached.
 */
const unavailable = (_config: unknown, { strapi }: { strapi: Core.Strapi }) => {
  const endpoints = endpointsOf(strapi);
  return async (ctx: any, next: () => Promise<void>) => {
    try {
      await next();
    } catch (error) {
      const dependency = unavailableDependency(error, endpoints);
      if (!dependency) throw error;
      ctx.set('Retry-After', String(RETRY_AFTER_SEC));
      throw httpStatusError(503, unavailableMessage(dependency), { dependency });
    }
  };
};

/**
 * Placed right inside Strapi's error middleware (which turns what it throws into the answer), for
 * every route, the plugin's and Strapi's own (Content Manager, Media Library, admin login): a host
 * app gets it without listing it. Called in register, before Strapi builds its middleware stack.
 */
export const registerUnavailableMapping = (strapi: Core.Strapi) => {
  const configured = strapi.config.get('middlewares') as Array<string | { name?: string }> | undefined;
  if (!Array.isArray(configured)) return;
  const nameOf = (m: string | { name?: string }) => (typeof m === 'string' ? m : m.name);
  if (configured.some((m) => nameOf(m) === NAME)) return;
  const errors = configured.findIndex((m) => nameOf(m) === 'strapi::errors');
  strapi.config.set('middlewares', [...configured.slice(0, errors + 1), NAME, ...configured.slice(errors + 1)]);
};

export default { unavailable };
