/** Products: the overview list, one product's workspace and readiness, generation, imports, channel packs. */
import { useCallback, useState } from 'react';
import { useMutation, useQuery } from 'react-query';
import { useAuth, useFetchClient } from '@strapi/strapi/admin';
import { backendURL } from '../utils/urls';
import { BUSY_STATUSES, type Channel, type Role } from '../utils/vocabulary';
import { BASE, useNotifyError, clean } from './client';
import { keys, useInvalidate, type ProductFilters } from './keys';
import type { AssetList, AssetListItem, ChannelPreview, GenerateResult, ImportResult, Overview, ProductReadiness, Workspace } from './types';

/** The overview: one row per product with its slots' states, and counts over the filtered catalogue. */
export const useProducts = (filters: ProductFilters) => {
  const { get } = useFetchClient();
  const onError = useNotifyError();
  return useQuery(
    keys.products(filters),
    async () => {
      const params = clean({ ...filters, awaiting: filters.awaiting ? 'true' : undefined });
      const { data, meta } = (await get<Overview>(`${BASE}/products`, { params })).data;
      return { products: data, counts: meta.counts, pagination: meta.pagination };
    },
    { onError, keepPreviousData: true }
  );
};

const anyBusy = (assets: AssetListItem[] | undefined) => (assets ?? []).some((a) => BUSY_STATUSES.includes(a.status));

/** The workspace with the product's shots: the list rows carry each shot's checks and this editor's moves. */
export type ProductWorkspace = Workspace & { assets: AssetListItem[] };

export const useWorkspace = (documentId: string | undefined) => {
  const { get } = useFetchClient();
  const onError = useNotifyError();
  return useQuery(
    keys.workspace(documentId ?? ''),
    async (): Promise<ProductWorkspace> => {
      const [workspace, assets] = await Promise.all([
        get<{ data: Workspace }>(`${BASE}/products/${documentId}`),
        get<AssetList>(`${BASE}/assets`, { params: { product: documentId, pageSize: 100 } }),
      ]);
      return { ...workspace.data.data, assets: assets.data.data };
    },
    {
      enabled: Boolean(documentId),
      onError,
      // Live progress: poll while any shot is queued or generating.
      refetchInterval: (data) => (anyBusy(data?.assets) ? 1500 : false),
    }
  );
};

export const useReadiness = (documentId: string | undefined) => {
  const { get } = useFetchClient();
  const onError = useNotifyError();
  return useQuery(
    keys.readiness(documentId ?? ''),
    async () => (await get<{ data: ProductReadiness }>(`${BASE}/products/${documentId}/readiness`)).data.data,
    { enabled: Boolean(documentId), onError, retry: false }
  );
};

export const useGenerate = (documentId: string) => {
  const { post } = useFetchClient();
  const onError = useNotifyError();
  const invalidate = useInvalidate();
  return useMutation(
    async (roles?: Role[]) => (await post<{ data: GenerateResult }>(`${BASE}/products/${documentId}/generate`, roles?.length ? { roles } : {})).data.data,
    { onError, onSuccess: () => invalidate(keys.product(documentId), keys.overview, keys.assetLists) }
  );
};

export const useImportAsset = (documentId: string) => {
  const { post } = useFetchClient();
  const onError = useNotifyError();
  const invalidate = useInvalidate();
  return useMutation(
    async ({ file, role }: { file: File; role: Role }) => {
      const form = new FormData();
      form.append('role', role);
      form.append('file', file, file.name);
      return (await post<ImportResult>(`${BASE}/products/${documentId}/assets`, form)).data;
    },
    { onError, onSuccess: () => invalidate(keys.product(documentId), keys.overview, keys.assetLists) }
  );
};

/** The files a channel's pack holds (rendered by the server), its rules and the rules each file breaks. */
export const useChannelPreview = (documentId: string, channel: Channel | '') => {
  const { get } = useFetchClient();
  return useQuery(
    keys.channelPreview(documentId, channel),
    async () => (await get<{ data: ChannelPreview }>(`${BASE}/products/${documentId}/channels/${channel}/preview`)).data.data,
    { enabled: Boolean(documentId && channel), retry: false, refetchOnWindowFocus: false, staleTime: 30_000 }
  );
};

export interface DownloadState {
  channel: Channel | null;
  received: number;
  total: number | null;
}

/** The listing pack (a ZIP) for a channel, streamed so the editor sees its progress. */
export const usePackDownload = (documentId: string, filenameBase: string) => {
  const token = useAuth('usePackDownload', (state) => state.token);
  const notify = useNotifyError();
  const [state, setState] = useState<DownloadState>({ channel: null, received: 0, total: null });

  const download = useCallback(
    async (channel: Channel) => {
      setState({ channel, received: 0, total: null });
      try {
        const res = await fetch(`${backendURL()}${BASE}/products/${documentId}/pack?channel=${channel}`, {
          headers: { Authorization: `Bearer ${token}` },
        });
        if (!res.ok) {
          const body = await res.json().catch(() => null);
          throw { response: { data: body ?? { error: { message: `HTTP ${res.status}` } } }, status: res.status };
        }
        const total = Number(res.headers.get('content-length')) || null;
        const chunks: Uint8Array[] = [];
        let received = 0;
        if (res.body) {
          const reader = res.body.getReader();
          for (;;) {
            const { done, value } = await reader.read();
            if (done) break;
            chunks.push(value);
            received += value.length;
            setState({ channel, received, total });
          }
        } else {
          const buf = new Uint8Array(await res.arrayBuffer());
          chunks.push(buf);
          received = buf.length;
        }
        const blob = new Blob(chunks as BlobPart[], { type: 'application/zip' });
        const disposition = res.headers.get('content-disposition') ?? '';
        const name = /filename="?([^";]+)"?/i.exec(disposition)?.[1] ?? `${filenameBase}-${channel}.zip`;
        const url = URL.createObjectURL(blob);
        const a = document.createElement('a');
        a.href = url;
        a.download = name;
        document.body.appendChild(a);
        a.click();
        a.remove();
        setTimeout(() => URL.revokeObjectURL(url), 10_000);
        return { name, size: received };
      } catch (error) {
        notify(error);
        return null;
      } finally {
        setState({ channel: null, received: 0, total: null });
      }
    },
    [documentId, filenameBase, notify, token]
  );

  return { download, state };
};
