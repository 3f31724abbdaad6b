/** One query-key factory: every cached query of the plugin is named here, so a mutation can say what it changed. */
import { useCallback } from 'react';
import { useQueryClient, type QueryKey } from 'react-query';

export const keys = {
  all: ['product-gallery'] as const,
  products: (filters: ProductFilters) => ['product-gallery', 'products', filters] as const,
  product: (id: string) => ['product-gallery', 'product', id] as const,
  readiness: (id: string) => ['product-gallery', 'readiness', id] as const,
  assets: (filters: AssetFilters) => ['product-gallery', 'assets', filters] as const,
  asset: (id: string) => ['product-gallery', 'asset', id] as const,
  briefs: ['product-gallery', 'briefs'] as const,
  brief: (id: string) => ['product-gallery', 'brief', id] as const,
  config: ['product-gallery', 'config'] as const,
  gallery: (slug: string, channel?: string) => ['product-gallery', 'gallery', slug, channel ?? ''] as const,
  channelPreview: (id: string, channel: string) => ['product-gallery', 'channel-preview', id, channel] as const,
};

export interface ProductFilters {
  category?: string;
  missing?: string;
  awaiting?: boolean;
  q?: string;
  page?: number;
  pageSize?: number;
}

export const useInvalidateAll = () => {
  const client = useQueryClient();
  return useCallback(() => client.invalidateQueries(keys.all as unknown as QueryKey), [client]);
};

export interface AssetFilters {
  product?: string;
  status?: string;
  role?: string;
}
