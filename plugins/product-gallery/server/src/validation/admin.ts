import { z } from 'zod';
import { CATEGORIES } from '../domain/vocabulary';
import { briefSchema } from './content';

export const documentIdParam = z.object({
  documentId: z.string().regex(/^[a-z0-9]{10,40}$/, 'must be a document id'),
});

export const cloneBriefBody = z
  .object({
    name: z.string().trim().min(1, 'the clone needs a name').max(120),
    categories: z.array(z.enum(CATEGORIES, { message: `must be one of ${CATEGORIES.join(', ')}` })).default([]),
  })
  .strict();

export const updateBriefBody = briefSchema.omit({ version: true }).partial().strict();

export const promptPreviewBody = z
  .object({
    product: z.string().regex(/^[a-z0-9]{10,40}$/, 'must be a product document id'),
    roles: updateBriefBody.shape.roles.optional(),
  })
  .strict();
