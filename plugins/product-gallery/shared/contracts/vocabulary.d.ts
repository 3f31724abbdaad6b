/**
 * The words both sides use, as types only: the server's lists (server: domain/vocabulary.ts,
 * domain/slot-state.ts) must keep to these, and the admin reads them from here.
 */
export type Role = 'clean' | 'model' | 'detail' | 'lifestyle' | 'size';
export type Slot = 'grid' | 'hero' | 'gallery-2' | 'gallery-3' | 'campaign';
export type Category = 'ring' | 'necklace' | 'pendant' | 'earrings' | 'bracelet' | 'anklet' | 'brooch' | 'other';
export type AssetStatus = 'queued' | 'generating' | 'draft' | 'in_review' | 'approved' | 'rejected' | 'published' | 'archived' | 'failed';
/** A slot judged against the product's own plan: published, else the furthest any of its roles has come. */
export type SlotState = 'published' | 'approved' | 'in_review' | 'draft' | 'generating' | 'failed' | 'missing';
export type Channel = 'amazon' | 'etsy' | 'shopify' | 'google' | 'meta' | 'pinterest' | 'email';
