import { z } from 'zod';
import { CATEGORIES, CHANNELS, ROLES, SLOTS, STATUSES } from '../domain/vocabulary';

const documentId = (what: string) => z.string().regex(/^[a-z0-9]{10,40}$/, `must be ${what} document id`);

/** `a,b` or `a&a` or `[a,b]`: a list of enum values from the query string. */
const csvOf = <T extends readonly [string, ...string[]]>(values: T, what: string) =>
  z
    .union([z.string(), z.array(z.string())])
    .transform((v) => (Array.isArray(v) ? v : v.split(',')).map((s) => s.trim()).filter(Boolean))
    .pipe(z.array(z.enum(values, { message: `must be ${what}: ${values.join(', ')}` })).min(1, `must name at least one ${what}`));

const page = z.coerce.number().int('must be a whole number').min(1, 'must be at least 1').default(1);
const pageSize = (max: number, dflt: number) =>
  z.coerce.number().int('must be a whole number').min(1, 'must be at least 1').max(max, `must be at most ${max}`).default(dflt);

/** GET /assets?product=&status=&role=&page=&pageSize= */
export const listAssetsQuery = z
  .object({
    product: documentId('a product').optional(),
    status: csvOf(STATUSES, 'a status').optional(),
    role: csvOf(ROLES, 'a role').optional(),
    page,
    pageSize: pageSize(100, 25),
    sort: z.enum(['updatedAt:desc', 'updatedAt:asc', 'createdAt:desc', 'createdAt:asc']).default('updatedAt:desc'),
  })
  .strict();

/** POST /assets/:documentId/transition */
export const transitionBody = z
  .object({
    to: z.enum(STATUSES, { message: `must be one of ${STATUSES.join(', ')}` }),
    version: z.number({ message: 'must be the version number you saw (an integer)' }).int('must be an integer').min(1, 'must be at least 1'),
    note: z.string().trim().max(2000, 'must be at most 2000 characters').nullish(),
    override: z.string().trim().max(2000, 'must be at most 2000 characters').nullish(),
  })
  .strict();

/** GET /products?category=&missing=&awaiting=&q=&page=&pageSize= */
export const listProductsQuery = z
  .object({
    category: csvOf(CATEGORIES, 'a category').optional(),
    missing: z.enum(SLOTS, { message: `must be a slot: ${SLOTS.join(', ')}` }).optional(),
    awaiting: z
      .enum(['true', 'false', '1', '0'], { message: 'must be true or false' })
      .transform((v) => v === 'true' || v === '1')
      .optional(),
    q: z.string().trim().max(200, 'must be at most 200 characters').optional(),
    page,
    pageSize: pageSize(100, 25),
  })
  .strict();

/** GET /products/:documentId/pack?channel= */
const channel = z.enum(CHANNELS, { message: `must be one of ${CHANNELS.join(', ')}` });

export const packQuery = z.object({ channel }).strict();

/** GET /products/:documentId/channels/:channel/preview?size= */
export const channelPreviewParams = z.object({
  documentId: documentId('a product'),
  channel,
});

export const channelPreviewQuery = z
  .object({
    /** Long side of each on-screen preview, px. */
    size: z.coerce.number().int('must be a whole number').min(64, 'must be at least 64').max(1024, 'must be at most 1024').default(480),
  })
  .strict();

const percent = (axis: string) =>
  z
    .number({ message: `must be a number from 0 to 100 (percent of the image's ${axis})` })
    .min(0, `must be at least 0 (percent of the image's ${axis})`)
    .max(100, `must be at most 100 (percent of the image's ${axis})`);

/** PUT /assets/:documentId: what an editor may change on an image without a new review. */
export const updateAssetBody = z
  .object({
    alt: z
      .string({ message: 'must be text describing the piece' })
      .trim()
      .min(1, 'must not be empty: describe the piece for people who cannot see the image')
      .max(300, 'must be at most 300 characters')
      .optional(),
    focalPoint: z
      .object({ x: percent('width'), y: percent('height') }, { message: 'must be {x, y} in percent, or null for the automatic one' })
      .strict()
      .nullable()
      .optional(),
  })
  .strict()
  .refine((b) => b.alt !== undefined || b.focalPoint !== undefined, { message: 'send alt, focalPoint or both' });
