import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import type { StoredGallery } from '../repositories/low-level';
import { FIND_ONE_ACTION } from '../services/gallery';
import { getService } from '../utils/get-service';

export const PUBLIC_GALLERY_STRATEGY = 'product-gallery-public';

/** The storefront handlers this strategy may let in: any other route goes to Strapi's own strategies. */
const GALLERY_HANDLERS = new Set(['gallery.find', 'gallery.findOne']);
const PLUGIN_PREFIX = 'plugin::product-gallery.';

/** The storefront handler a request is routed to, or null for any other route. */
const galleryHandlerOf = (ctx: any): string | null => {
  const route = ctx.state?.route;
  if (route?.info?.pluginName !== 'product-gallery' || typeof route.handler !== 'string') return null;
  const handler = route.handler.startsWith(PLUGIN_PREFIX) ? route.handler.slice(PLUGIN_PREFIX.length) : route.handler;
  return GALLERY_HANDLERS.has(handler) ? handler : null;
};

/** The row read with the grant, per request, for the controller (kept only as long as the request). */
const readWithGrant = new WeakMap<object, { slug: string; row: StoredGallery | null }>();

/**
 * The stored row this strategy read for an anonymous GET /galleries/:slug together with the Public
 * role's grant, or undefined when it read none (credentials, another route): then the controller
 * reads the row itself.
 */
export const rowReadWithGrant = (ctx: object, slug: string): { row: StoredGallery | null } | undefined => {
  const read = readWithGrant.get(ctx);
  return read?.slug === slug ? read : undefined;
};

/**
 * Content-API auth strategy, registered by name and listed first on the two gallery routes: a
 * request without credentials is let in exactly when the Public role has the route's permission
 * (plugin::product-gallery.gallery.find / .findOne), read from the database on every request,
 * but with one small query instead of loading and compiling every public permission. For one
 * gallery (GET /galleries/:slug) that query also reads the gallery's row, kept for the controller:
 * one read per request. Requests with credentials (API tokens, users) go on to Strapi's strategies
 * unchanged. Registered for the whole content API, it stands aside on every other route, whatever
 * order strategies run in.
 */
export const createPublicGalleryStrategy = (strapi: Core.Strapi) => ({
  name: PUBLIC_GALLERY_STRATEGY,
  async authenticate(ctx: any) {
    if (ctx.request?.header?.authorization) return { authenticated: false };
    const handler = galleryHandlerOf(ctx);
    if (!handler) return { authenticated: false };
    const slug = ctx.params?.slug;
    if (handler === 'gallery.findOne' && typeof slug === 'string') {
      // The slug is not validated yet (the controller answers 400 for a bad one): here it is only a bound value that matches no row.
      const { granted, row } = await getService(strapi, 'gallery').publicOne(slug);
      if (!granted) return { authenticated: false };
      readWithGrant.set(ctx, { slug, row });
      return { authenticated: true, credentials: null, ability: { can: (action: string) => action === FIND_ONE_ACTION } };
    }
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
