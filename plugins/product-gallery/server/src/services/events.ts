import type { Core } from '@strapi/strapi';

/**
 * Product-gallery events a Strapi webhook (Settings > Webhooks) can subscribe to. workflow.ts
 * emits them on strapi.eventHub; Strapi's webhook runner delivers whatever a webhook subscribed to.
 * Payloads: asset events `{asset, product, role, from, to}`, gallery events `{product, slug}`
 * (document ids), so a storefront can revalidate /api/product-gallery/galleries/:slug.
 */
export const WEBHOOK_EVENTS = {
  PRODUCT_GALLERY_ASSET_PUBLISHED: 'product-gallery.asset.published',
  PRODUCT_GALLERY_ASSET_ARCHIVED: 'product-gallery.asset.archived',
  PRODUCT_GALLERY_GALLERY_CHANGED: 'product-gallery.gallery.changed',
} as const;

export default ({ strapi }: { strapi: Core.Strapi }) => ({
  /** Called from bootstrap (the webhook store exists by then). Idempotent. */
  registerWebhookEvents() {
    const store = strapi.get('webhookStore') as { addAllowedEvent(key: string, value: string): void };
    for (const [key, value] of Object.entries(WEBHOOK_EVENTS)) store.addAllowedEvent(key, value);
  },
});
