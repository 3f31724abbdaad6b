import { z } from 'zod';
import { CHANNELS } from '../domain/vocabulary';

/** A storefront grid page: more per request only speeds up guessing slugs. */
export const MAX_SLUGS = 24;

const slug = z
  .string()
  .min(1, 'must not be empty')
  .max(200, 'must be at most 200 characters')
  .regex(/^[A-Za-z0-9._~-]+$/, 'must be a product slug (letters, digits, dashes)');

const channel = z.enum(CHANNELS, { message: `must be one of ${CHANNELS.join(', ')}` }).optional();

/** GET /api/product-gallery/galleries/:slug?channel= */
export const galleryParams = z.object({ slug });
export const galleryQuery = z.object({ channel }).passthrough();

/** GET /api/product-gallery/galleries?slugs=a,b,c&channel= */
export const galleriesQuery = z
  .object({
    slugs: z
      .union([z.string(), z.array(z.string())], { message: 'must list product slugs, comma-separated' })
      .transform((v) => [...new Set((Array.isArray(v) ? v : v.split(',')).map((s) => s.trim()).filter(Boolean))])
      .pipe(z.array(slug).min(1, 'must name at least one slug').max(MAX_SLUGS, `must name at most ${MAX_SLUGS} slugs`)),
    channel,
  })
  .passthrough();
