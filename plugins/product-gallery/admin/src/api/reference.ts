/** The product's reference cutout: refine preview, confirmation, AI second opinion. */
import { useMutation, useQuery } from 'react-query';
import { useFetchClient } from '@strapi/strapi/admin';
import { unwrap, BASE, useNotifyError } from './client';
import { keys, useInvalidate } from './keys';
import { messages } from './normalize';
import type { RefineStroke, ReferenceMask } from './types';

export interface ProductReferenceView {
  state: 'missing' | 'needs-check' | 'automatic' | 'confirmed';
  confidence: number | null;
  reasons: string[];
  cutoutUrl: string | null;
  mask: ReferenceMask | null;
  aiMask: ReferenceMask | null;
  width: number | null;
  height: number | null;
}

export interface RefinePreview {
  maskPreview: string;
  areaFraction: number;
  changedFraction: number;
  automaticConfidence: number;
}

const toReferenceView = (ref: any): ProductReferenceView => ({
  state: !ref ? 'missing' : ref.mask?.confirmedAt ? 'confirmed' : ref.needsReview ? 'needs-check' : 'automatic',
  confidence: typeof ref?.cutout?.confidence === 'number' ? ref.cutout.confidence : null,
  reasons: messages(ref?.cutout?.reasons),
  cutoutUrl: ref?.cutoutUrl ?? null,
  mask: ref?.mask ?? null,
  aiMask: ref?.aiMask ?? null,
  width: ref?.intake?.width ?? null,
  height: ref?.intake?.height ?? null,
});

/** The product's reference as the refine tool needs it (its confirmed and AI masks). */
export const useProductReference = (documentId: string | undefined) => {
  const { get } = useFetchClient();
  const onError = useNotifyError();
  return useQuery(
    keys.reference(documentId ?? ''),
    async () => toReferenceView(unwrap((await get<any>(`${BASE}/products/${documentId}`)).data)?.reference),
    { enabled: Boolean(documentId), onError }
  );
};

/** POST /products/:id/reference/preview: strokes -> the refined mask (nothing stored). */
export const useRefinePreview = (documentId: string) => {
  const { post } = useFetchClient();
  const onError = useNotifyError();
  return useMutation(
    async ({ strokes, from }: { strokes: RefineStroke[]; from: 'auto' | 'ai' }): Promise<RefinePreview> => {
      const d = unwrap((await post<any>(`${BASE}/products/${documentId}/reference/preview`, { strokes, from })).data);
      return {
        maskPreview: d.maskPreview,
        areaFraction: d.refined?.areaFraction ?? 0,
        changedFraction: d.refined?.changedFraction ?? 0,
        automaticConfidence: d.automatic?.confidence ?? 0,
      };
    },
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
      unwrap((await post<any>(`${BASE}/products/${documentId}/reference/confirm`, { strokes, from, ...(note ? { note } : {}) })).data),
    { onError, onSuccess: () => invalidate(keys.product(documentId), keys.blobs) }
  );
};

/** POST /products/:id/reference/ai: the AI background remover's mask, stored beside ours. */
export const useAiCutout = (documentId: string) => {
  const { post } = useFetchClient();
  const onError = useNotifyError();
  const invalidate = useInvalidate();
  return useMutation(
    async (): Promise<{ maskPreview: string; aiMask: ReferenceMask }> => unwrap((await post<any>(`${BASE}/products/${documentId}/reference/ai`, {})).data),
    { onError, onSuccess: () => invalidate(keys.product(documentId), keys.blobs) }
  );
};
