/** Storefront API under /api/product-gallery (Strapi REST conventions; Public role by default). */
export default {
  type: 'content-api',
  routes: [] as unknown[],
};
