import { z } from 'zod';
import { ROLES } from '../domain/vocabulary';

export const generateBody = z
  .object({
    roles: z
      .array(z.enum(ROLES, { message: `must be one of ${ROLES.join(', ')}` }))
      .min(1, 'list at least one role, or leave roles out to generate every missing one')
      .optional(),
  })
  .strict();

export const importBody = z
  .object({
    role: z.enum(ROLES, { message: `must be one of ${ROLES.join(', ')}` }),
  })
  .strict();

export const progressQuery = z
  .object({
    product: z.string().regex(/^[a-z0-9]{10,40}$/, 'must be a product document id').optional(),
  })
  .strict();

/**
 * An uploaded file's name as the browser sent it, made fit to record: no folders, no control
 * characters (PostgreSQL refuses a NUL inside JSON), at most 255 characters.
 */
export const uploadedFileName = z
  .string()
  .nullish()
  .transform((name) => (name ? name.split(/[\\/]/).pop()!.replace(/[\u0000-\u001f\u007f]/g, '').slice(0, 255) || null : null));
