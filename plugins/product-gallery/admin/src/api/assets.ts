/** Assets: lists, one asset's review payload, its difference map, and its moves. */
import { useMutation, useQuery } from 'react-query';
import { useFetchClient } from '@strapi/strapi/admin';
import { serverStatus } from '../utils/errors';
import type { AssetStatus } from '../utils/vocabulary';
import { BASE, useNotifyError, clean } from './client';
import { assetChangeKeys, keys, useInvalidate, type AssetFilters } from './keys';
import type { AssetList, AssetReview, TransitionResult } from './types';

export const useAssets = (filters: AssetFilters, options: { enabled?: boolean } = {}) => {
  const { get } = useFetchClient();
  const onError = useNotifyError();
  return useQuery(
    keys.assets(filters),
    async () => (await get<AssetList>(`${BASE}/assets`, { params: clean({ ...filters }) })).data.data,
    { onError, enabled: options.enabled ?? true, keepPreviousData: true }
  );
};

/** The review payload of one asset. `stamp` (version, status) refetches it when the asset moved. */
export const useAsset = (documentId: string | undefined, stamp?: string) => {
  const { get } = useFetchClient();
  const onError = useNotifyError();
  return useQuery(
    keys.assetDetail(documentId ?? '', stamp),
    async () => (await get<{ data: AssetReview }>(`${BASE}/assets/${documentId}`)).data.data,
    { enabled: Boolean(documentId), onError, refetchOnWindowFocus: false }
  );
};

/** What GET /assets/:documentId/difference found, with the map as a data URL (an <img src> cannot carry the admin JWT). */
export interface DifferenceMapView {
  src: string;
  /** The source product was placed on the image (known placement, known region, or a confident registration). */
  registered: boolean;
  /** Why it was not (an editor's sentence). */
  reason: string | null;
  method: string | null;
  /** Share of the product's area that differs (0..1). */
  changed: number | null;
  regions: number;
}

const blobToDataUrl = (blob: Blob) =>
  new Promise<string>((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(blob);
  });

/** The difference map of an asset, fetched on demand (it takes the server a second or two to draw). */
export const useDifferenceMap = (documentId: string | undefined, enabled = true) => {
  const { get } = useFetchClient();
  return useQuery(
    keys.difference(documentId ?? ''),
    async (): Promise<DifferenceMapView> => {
      const res = await get(`${BASE}/assets/${documentId}/difference`, { responseType: 'blob', validateStatus: () => true });
      if (res.status !== 200) {
        let message = `HTTP ${res.status}`;
        try {
          message = JSON.parse(await res.data.text())?.error?.message ?? message;
        } catch {
          /* not a JSON error body: keep the status */
        }
        throw new Error(message);
      }
      const header = (name: string) => res.headers?.get(name) ?? null;
      const reason = header('X-Difference-Reason');
      const changed = header('X-Difference-Changed');
      return {
        src: await blobToDataUrl(res.data),
        registered: header('X-Difference-Registered') === 'true',
        reason: reason ? decodeURIComponent(reason) : null,
        method: header('X-Difference-Method'),
        changed: changed === null ? null : Number(changed),
        regions: Number(header('X-Difference-Regions') ?? 0),
      };
    },
    { enabled: Boolean(documentId) && enabled, retry: false, refetchOnWindowFocus: false, staleTime: 5 * 60_000 }
  );
};

export interface TransitionInput {
  documentId: string;
  to: AssetStatus;
  version: number;
  note?: string;
  override?: string;
}

/** Moves an asset. 409 (someone changed it since) is handed to the caller to show plainly. */
export const useTransition = (opts: { onConflict?: (error: unknown) => void } = {}) => {
  const { post } = useFetchClient();
  const notify = useNotifyError();
  const invalidate = useInvalidate();
  return useMutation(
    async ({ documentId, ...body }: TransitionInput) => (await post<{ data: TransitionResult }>(`${BASE}/assets/${documentId}/transition`, clean(body))).data.data,
    {
      onError: (error) => {
        if (serverStatus(error) === 409 && opts.onConflict) opts.onConflict(error);
        else notify(error);
      },
      onSuccess: (asset) => invalidate(...assetChangeKeys(asset.product, asset.documentId)),
    }
  );
};

/** The cutout PNG is behind the admin JWT: fetch it as a blob and hand back an object URL. */
export const useAuthedImage = (path: string | null | undefined) => {
  const { get } = useFetchClient();
  return useQuery(
    keys.blob(path ?? ''),
    async () => {
      const res = await get(path as string, { responseType: 'blob' });
      return URL.createObjectURL(res.data);
    },
    { enabled: Boolean(path), retry: false, refetchOnWindowFocus: false, staleTime: Infinity }
  );
};
