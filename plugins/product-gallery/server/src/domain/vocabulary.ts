/** The plugin's fixed vocabulary. Content-type enums mirror these lists. */
export const CATEGORIES = ['ring', 'necklace', 'pendant', 'earrings', 'bracelet', 'anklet', 'brooch', 'other'] as const;
export type Category = (typeof CATEGORIES)[number];

export const METALS = ['yellow-gold', 'white-gold', 'rose-gold', 'silver', 'platinum', 'other'] as const;
export type Metal = (typeof METALS)[number];

/** `size`: the size guide (the product at true scale beside a ruler and a coin), made from the record's mm. */
export const ROLES = ['clean', 'model', 'detail', 'lifestyle', 'size'] as const;
export type Role = (typeof ROLES)[number];

/** Page order: the gallery API returns slots in the brief's order, this is the default. */
export const SLOTS = ['grid', 'hero', 'gallery-2', 'gallery-3', 'campaign'] as const;
export type Slot = (typeof SLOTS)[number];

export const STATUSES = [
  'queued',
  'generating',
  'draft',
  'in_review',
  'approved',
  'rejected',
  'published',
  'archived',
  'failed',
] as const;
export type AssetStatus = (typeof STATUSES)[number];

export const GENERATORS = ['auto', 'local', 'replicate'] as const;
export type Generator = (typeof GENERATORS)[number];

export const CHANNELS = ['amazon', 'etsy', 'shopify', 'google', 'meta', 'pinterest', 'email'] as const;
export type Channel = (typeof CHANNELS)[number];

export const UID = {
  product: 'plugin::product-gallery.product',
  brief: 'plugin::product-gallery.category-brief',
  asset: 'plugin::product-gallery.image-asset',
  audit: 'plugin::product-gallery.audit-event',
  webhookDelivery: 'plugin::product-gallery.webhook-delivery',
  dispatcherLock: 'plugin::product-gallery.dispatcher-lock',
  gallerySnapshot: 'plugin::product-gallery.gallery-snapshot',
} as const;
