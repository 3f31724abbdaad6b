/** Briefs: the list, one brief, its edits and clones, and its rendered prompts. */
import { useMutation, useQuery } from 'react-query';
import { useFetchClient } from '@strapi/strapi/admin';
import type { Category } from '../utils/vocabulary';
import { type AnyRecord, BASE, useNotifyError, useFormErrorNotice } from './client';
import { keys, useInvalidate } from './keys';
import type { RoleSpec, Brief, RenderedPrompt } from './types';

export const useBriefs = () => {
  const { get } = useFetchClient();
  const onError = useNotifyError();
  return useQuery(keys.briefs, async () => (await get<{ data: Brief[] }>(`${BASE}/briefs`)).data.data, { onError });
};

export const useBrief = (documentId: string | undefined) => {
  const { get } = useFetchClient();
  const onError = useNotifyError();
  return useQuery(keys.brief(documentId ?? ''), async () => (await get<{ data: Brief }>(`${BASE}/briefs/${documentId}`)).data.data, {
    enabled: Boolean(documentId),
    onError,
    refetchOnWindowFocus: false,
  });
};

export const useUpdateBrief = (documentId: string, { placesFieldErrors = false } = {}) => {
  const { put } = useFetchClient();
  const onError = useFormErrorNotice(placesFieldErrors);
  const invalidate = useInvalidate();
  return useMutation(
    async (data: Partial<Pick<Brief, 'name' | 'categories' | 'roles' | 'slotPlan'>>) =>
      (await put<{ data: Brief }>(`${BASE}/briefs/${documentId}`, data)).data.data,
    {
      // The brief decides every product's plan and slots it covers: their workspaces, readiness and the overview.
      onError,
      onSuccess: () => invalidate(keys.briefs, keys.brief(documentId), keys.everyProduct, keys.overview),
    }
  );
};

export const useCloneBrief = ({ placesFieldErrors = false } = {}) => {
  const { post } = useFetchClient();
  const onError = useFormErrorNotice(placesFieldErrors);
  const invalidate = useInvalidate();
  return useMutation(
    async ({ documentId, name, categories }: { documentId: string; name: string; categories: Category[] }) =>
      (await post<{ data: Brief }>(`${BASE}/briefs/${documentId}/clone`, { name, categories })).data.data,
    {
      // A clone may take over categories from another brief: the products it now plans change too.
      onError,
      onSuccess: () => invalidate(keys.briefs, keys.everyProduct, keys.overview),
    }
  );
};

/** Rendered prompts of a brief (with unsaved role specs) for one product. */
export const usePromptPreview = (briefId: string | undefined, product: string | undefined, roles: RoleSpec[] | undefined) => {
  const { post } = useFetchClient();
  return useQuery(
    keys.promptPreview(briefId ?? '', product ?? '', JSON.stringify(roles ?? null)),
    async () => (await post<{ data: RenderedPrompt[] }>(`${BASE}/briefs/${briefId}/preview`, { product, roles: roles?.map(stripSpec) })).data.data,
    { enabled: Boolean(briefId && product), keepPreviousData: true, retry: false, refetchOnWindowFocus: false }
  );
};

/** Role specs as the server's zod schema accepts them: no component ids, no media objects. */
export const stripSpec = (spec: RoleSpec): RoleSpec => {
  // A stored brief's role specs carry their component ids (Strapi adds them to components).
  const { id: _id, sceneImage, ...rest } = spec as RoleSpec & { id?: number; sceneImage?: { id?: number } | number | null };
  const out: RoleSpec = { ...rest };
  for (const [k, v] of Object.entries(out)) if (v === undefined) delete (out as AnyRecord)[k];
  if (sceneImage !== undefined) (out as AnyRecord).sceneImage = typeof sceneImage === 'object' && sceneImage ? sceneImage.id ?? null : sceneImage;
  return out;
};
