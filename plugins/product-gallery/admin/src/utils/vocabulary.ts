/** Mirrors server/src/domain/vocabulary.ts (the admin bundle must not import server code). */
export const CATEGORIES = ['ring', 'necklace', 'pendant', 'earrings', 'bracelet', 'anklet', 'brooch', 'other'] as const;
export type Category = (typeof CATEGORIES)[number];

export const ROLES = ['clean', 'model', 'detail', 'lifestyle', 'size'] as const;
export type Role = (typeof ROLES)[number];

export const SLOTS = ['grid', 'hero', 'gallery-2', 'gallery-3', 'campaign'] as const;
export type Slot = (typeof SLOTS)[number];

export const STATUSES = ['queued', 'generating', 'draft', 'in_review', 'approved', 'rejected', 'published', 'archived', 'failed'] as const;
export type AssetStatus = (typeof STATUSES)[number];

export const GENERATORS = ['auto', 'local', 'replicate'] as const;

export const CHANNELS = ['amazon', 'etsy', 'shopify', 'google', 'meta', 'pinterest', 'email'] as const;
export type Channel = (typeof CHANNELS)[number];

export const PRODUCT_UID = 'plugin::product-gallery.product';

/** Statuses during which the worker is still busy: the workspace polls while any shot has one. */
export const BUSY_STATUSES: readonly AssetStatus[] = ['queued', 'generating'];

/** Statuses that are waiting for a human. */
export const AWAITING_STATUSES: readonly AssetStatus[] = ['draft', 'in_review', 'approved'];

export const DEFAULT_SLOT_PLAN: { slot: Slot; roles: Role[] }[] = [
  { slot: 'grid', roles: ['clean', 'model'] },
  { slot: 'hero', roles: ['clean', 'model'] },
  { slot: 'gallery-2', roles: ['model', 'size'] },
  { slot: 'gallery-3', roles: ['detail'] },
  { slot: 'campaign', roles: ['lifestyle'] },
];
