/**
 * One query-key factory: every cached query of the plugin is named here, so a mutation can say
 * what it changed. Keys nest (a product's readiness sits under the product), so invalidating a
 * prefix reaches exactly the queries that read the changed record.
 */
import { useCallback } from 'react';
import { useQueryClient, type QueryKey } from 'react-query';

export interface ProductFilters {
  category?: string;
  missing?: string;
  awaiting?: boolean;
  q?: string;
  page?: number;
  pageSize?: number;
}

export interface AssetFilters {
  product?: string;
  status?: string;
  role?: string;
}

const ROOT = 'product-gallery';

export const keys = {
  all: [ROOT] as const,
  /** Every product's workspace (with its reference), readiness and channel previews. */
  everyProduct: [ROOT, 'product'] as const,
  /** The overview: every page and filter of the product list. */
  overview: [ROOT, 'products'] as const,
  products: (filters: ProductFilters) => [ROOT, 'products', filters] as const,
  /** Everything read about one product: workspace (with its reference), readiness, channel previews. */
  product: (id: string) => [ROOT, 'product', id] as const,
  workspace: (id: string) => [ROOT, 'product', id, 'workspace'] as const,
  readiness: (id: string) => [ROOT, 'product', id, 'readiness'] as const,
  channelPreviews: (id: string) => [ROOT, 'product', id, 'channel-preview'] as const,
  channelPreview: (id: string, channel: string) => [ROOT, 'product', id, 'channel-preview', channel] as const,
  /** Asset lists (the review queue among them), whatever their filters. */
  assetLists: [ROOT, 'assets'] as const,
  assets: (filters: AssetFilters) => [ROOT, 'assets', filters] as const,
  asset: (id: string) => [ROOT, 'asset', id] as const,
  assetDetails: (id: string) => [ROOT, 'asset', id, 'detail'] as const,
  assetDetail: (id: string, stamp?: string) => [ROOT, 'asset', id, 'detail', stamp ?? ''] as const,
  difference: (id: string) => [ROOT, 'asset', id, 'difference'] as const,
  briefs: [ROOT, 'briefs'] as const,
  brief: (id: string) => [ROOT, 'brief', id] as const,
  /** Rendered prompts of a brief, whatever product and unsaved specs they were asked for. */
  promptPreviews: (briefId: string) => [ROOT, 'brief', briefId, 'preview'] as const,
  promptPreview: (briefId: string, product: string, roles: string) => [ROOT, 'brief', briefId, 'preview', product, roles] as const,
  config: [ROOT, 'config'] as const,
  galleries: [ROOT, 'gallery'] as const,
  gallery: (slug: string, channel?: string) => [ROOT, 'gallery', slug, channel ?? ''] as const,
  /** Images behind the admin JWT (the reference cutout), by path. */
  blobs: [ROOT, 'blob'] as const,
  blob: (path: string) => [ROOT, 'blob', path] as const,
};

/** Marks the given queries (and every query under them) stale; the mounted ones refetch. */
export const useInvalidate = () => {
  const client = useQueryClient();
  return useCallback(
    (...targets: readonly (readonly unknown[])[]) => Promise.all(targets.map((key) => client.invalidateQueries(key as unknown as QueryKey))),
    [client]
  );
};

/** What an asset's own change (a move, a new shot) makes stale: it, its product and the lists that show it. */
export const assetChangeKeys = (product: { documentId: string; slug?: string | null } | null | undefined, asset?: string) => [
  ...(asset ? [keys.assetDetails(asset)] : []),
  product ? keys.product(product.documentId) : keys.everyProduct,
  product?.slug ? [ROOT, 'gallery', product.slug] : keys.galleries,
  keys.overview,
  keys.assetLists,
];
