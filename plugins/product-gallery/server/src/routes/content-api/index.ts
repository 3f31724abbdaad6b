import type { PluginRouter } from '../handlers';
import { PUBLIC_GALLERY_STRATEGY } from '../../strategies/public-gallery';

/**
 * Storefront API under /api/product-gallery (Strapi REST conventions). Scopes
 * plugin::product-gallery.gallery.find / .findOne, granted to the Public role by default
 * (permissions-setup); anonymous requests are checked against the Public role by a lean strategy,
 * credentialed ones by Strapi's API-token and users-permissions strategies.
 */
// A fresh object per route: Strapi writes each route's scope into it. API tokens authenticate
// through 'content-api-token' since Strapi 5.5x gave tokens a kind ('api-token' before): a name
// Strapi does not know is skipped, so both are listed for every Strapi 5.
const auth = () => ({ strategies: [PUBLIC_GALLERY_STRATEGY, 'content-api-token', 'api-token', 'users-permissions'] });

export default {
  type: 'content-api',
  routes: [
    { method: 'GET', path: '/galleries', handler: 'gallery.find', config: { auth: auth() } },
    { method: 'GET', path: '/galleries/:slug', handler: 'gallery.findOne', config: { auth: auth() } },
    // Replicate's completion webhook: authenticated by its HMAC signature, not by a token.
    { method: 'POST', path: '/replicate/webhook', handler: 'replicate-webhook.receive', config: { auth: false } },
  ],
} satisfies PluginRouter;
