import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { getService } from '../utils/get-service';

export const PUBLIC_GALLERY_STRATEGY = 'product-gallery-public';

/** The storefront handlers this strategy may let in: any other route goes to Strapi's own strategies. */
const GALLERY_HANDLERS = new Set(['gallery.find', 'gallery.findOne']);

const isGalleryRoute = (ctx: any) => {
  const route = ctx.state?.route;
  return route?.info?.pluginName === 'product-gallery' && typeof route.handler === 'string' && GALLERY_HANDLERS.has(route.handler.replace(/^plugin::product-gallery\./, ''));
};

/**
 * Content-API auth strategy, registered by name and listed first on the two gallery routes: a
 * request without credentials is let in exactly when the Public role has the route's permission
 * (plugin::product-gallery.gallery.find / .findOne), read from the database on every request,
 * but with one small query instead of loading and compiling every public permission. Requests
 * with credentials (API tokens, users) go on to Strapi's strategies unchanged. Registered for the
 * whole content API, it stands aside on every other route, whatever order strategies run in.
 */
export const createPublicGalleryStrategy = (strapi: Core.Strapi) => ({
  name: PUBLIC_GALLERY_STRATEGY,
  async authenticate(ctx: any) {
    if (ctx.request?.header?.authorization || !isGalleryRoute(ctx)) return { authenticated: false };
    const granted = await getService(strapi, 'gallery').publicActions();
    if (!granted.size) return { authenticated: false };
    return { authenticated: true, credentials: null, ability: { can: (action: string) => granted.has(action) } };
  },
  async verify(auth: any, config: { scope?: string[] } = {}) {
    const scope = config.scope ?? [];
    if (!scope.length || !scope.every((action) => auth?.ability?.can(action))) throw new errors.ForbiddenError();
  },
});

export const registerPublicGalleryStrategy = (strapi: Core.Strapi) => {
  strapi.get('auth').register('content-api', createPublicGalleryStrategy(strapi));
};
