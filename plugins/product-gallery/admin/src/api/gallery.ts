/** The storefront's view of a gallery. */
import { useQuery } from 'react-query';
import { backendURL } from '../utils/urls';
import { keys } from './keys';
import type { Gallery } from './types';

/** The storefront's view: the public content API (no admin token). */
export const useGallery = (slug: string | undefined, channel?: string) => {
  return useQuery(
    keys.gallery(slug ?? '', channel),
    async () => {
      const qs = channel ? `?channel=${encodeURIComponent(channel)}` : '';
      const res = await fetch(`${backendURL()}/api/product-gallery/galleries/${encodeURIComponent(slug ?? '')}${qs}`, {
        headers: { Accept: 'application/json' },
      });
      const body = await res.json().catch(() => ({}));
      if (!res.ok) {
        const err = new Error(body?.error?.message ?? `HTTP ${res.status}`) as Error & { status?: number };
        err.status = res.status;
        throw err;
      }
      return (body as { data: Gallery }).data;
    },
    { enabled: Boolean(slug), retry: false, refetchOnWindowFocus: false }
  );
};
