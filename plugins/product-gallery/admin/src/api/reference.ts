/** The product's reference cutout: refine preview, confirmation, AI second opinion (the reference itself is in the workspace). */
import { useMutation } from 'react-query';
import { useFetchClient } from '@strapi/strapi/admin';
import { BASE, useNotifyError } from './client';
import { keys, useInvalidate } from './keys';
import type { ConfirmResult, RefinePreview, RefineStroke, SecondOpinion } from './types';

/** POST /products/:id/reference/preview: strokes -> the refined mask (nothing stored). */
export const useRefinePreview = (documentId: string) => {
  const { post } = useFetchClient();
  const onError = useNotifyError();
  return useMutation(
    async ({ strokes, from }: { strokes: RefineStroke[]; from: 'auto' | 'ai' }) =>
      (await post<{ data: RefinePreview }>(`${BASE}/products/${documentId}/reference/preview`, { strokes, from })).data.data,
    { onError }
  );
};

/** POST /products/:id/reference/confirm: the mask (as it is, refined, or the AI's) becomes the reference. */
export const useConfirmReference = (documentId: string) => {
  const { post } = useFetchClient();
  const onError = useNotifyError();
  const invalidate = useInvalidate();
  return useMutation(
    async ({ strokes, from, note }: { strokes: RefineStroke[]; from: 'auto' | 'ai'; note?: string }) =>
      (await post<{ data: ConfirmResult }>(`${BASE}/products/${documentId}/reference/confirm`, { strokes, from, ...(note ? { note } : {}) })).data.data,
    { onError, onSuccess: () => invalidate(keys.product(documentId), keys.blobs) }
  );
};

/** POST /products/:id/reference/ai: the AI background remover's mask, stored beside ours. */
export const useAiCutout = (documentId: string) => {
  const { post } = useFetchClient();
  const onError = useNotifyError();
  const invalidate = useInvalidate();
  return useMutation(async () => (await post<{ data: SecondOpinion }>(`${BASE}/products/${documentId}/reference/ai`, {})).data.data, {
    onError,
    onSuccess: () => invalidate(keys.product(documentId), keys.blobs),
  });
};
