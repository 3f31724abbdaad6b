/** Storefront API under /api/product-gallery (Strapi REST conventions; Public role by default). */
export default {
  type: 'content-api',
  routes: [
    // Scopes plugin::product-gallery.gallery.find / .findOne (granted to Public in permissions-setup).
    { method: 'GET', path: '/galleries', handler: 'gallery.find', config: {} },
    { method: 'GET', path: '/galleries/:slug', handler: 'gallery.findOne', config: {} },
    // Replicate's completion webhook: authenticated by its HMAC signature, not by a token.
    { method: 'POST', path: '/replicate/webhook', handler: 'replicate-webhook.receive', config: { auth: false } },
  ] as unknown[],
};
