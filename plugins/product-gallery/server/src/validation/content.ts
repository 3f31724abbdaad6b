import { z } from 'zod';
import { MODEL_NAME_RULE, MODEL_REF } from '../replicate/model-id';
import { templateTooLong } from '../domain/prompt';
import { CATEGORIES, GENERATORS, METALS, ROLES, SLOTS } from '../domain/vocabulary';

const mm = z.coerce.number().positive('must be a positive size in mm').max(5000, 'must be at most 5000 mm');
const optionalMm = mm.nullish();

/**
 * Component entries arrive from the Content Manager with ids and temp keys: allow them. Any other
 * key is refused (a misspelt field would otherwise be dropped without a word).
 */
const entry = <T extends z.ZodRawShape>(shape: T) =>
  z.object({ id: z.any().optional(), __temp_key__: z.any().optional(), __component: z.any().optional(), ...shape }).strict();

export const stoneSchema = entry({
  type: z.string().trim().min(1, 'a stone needs a type (e.g. diamond, turquoise, pearl)').max(60),
  color: z.string().trim().max(60).nullish(),
  count: z.coerce.number().int('must be a whole number').min(1, 'must be at least 1').max(1000).nullish(),
  sizeMm: optionalMm,
  shape: z.string().trim().max(60).nullish(),
});

export const dimensionsSchema = entry({
  widthMm: optionalMm,
  heightMm: optionalMm,
  depthMm: optionalMm,
  bandWidthMm: z.coerce.number().positive('must be a positive size in mm').max(50, 'a band is at most 50 mm wide').nullish(),
  ringSize: z.string().trim().max(20).nullish(),
  chainLengthMm: optionalMm,
  pendantDropMm: optionalMm,
  earringDropMm: optionalMm,
  braceletLengthMm: optionalMm,
});

export const productSchema = z.object({
  title: z.string().trim().min(1, 'a product needs a title').max(200, 'must be at most 200 characters'),
  slug: z
    .string()
    .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be lowercase letters, digits and dashes')
    .max(200)
    .optional(),
  sku: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be 1-64 letters, digits, dots, dashes or underscores'),
  category: z.enum(CATEGORIES, { message: `must be one of ${CATEGORIES.join(', ')}` }),
  metal: z.enum(METALS, { message: `must be one of ${METALS.join(', ')}` }),
  stones: z.array(stoneSchema).max(50).nullish(),
  dimensions: dimensionsSchema.nullish(),
  description: z.string().max(10000).nullish(),
});

/** A prompt template: its own length, and the longest prompt it can render to (domain/prompt.ts). */
const promptText = (max: number) =>
  z
    .string()
    .max(max, `must be at most ${max} characters`)
    .superRefine((template, ctx) => {
      const why = templateTooLong(template);
      if (why) ctx.addIssue({ code: 'custom', message: why });
    })
    .nullish();

const aspect = z.string().regex(/^[1-9][0-9]?:[1-9][0-9]?$/, 'must be an aspect ratio such as 1:1, 4:5 or 16:9');

export const roleSpecSchema = entry({
  role: z.enum(ROLES, { message: `must be one of ${ROLES.join(', ')}` }),
  required: z.boolean().nullish(),
  aspectRatio: aspect.nullish(),
  minLongEdge: z.coerce.number().int().min(300, 'must be at least 300 px').max(8000, 'must be at most 8000 px').nullish(),
  generator: z.enum(GENERATORS, { message: `must be one of ${GENERATORS.join(', ')}` }).nullish(),
  model: z
    .string()
    .regex(MODEL_REF, MODEL_NAME_RULE)
    .nullish()
    .or(z.literal('')),
  promptTemplate: promptText(4000),
  negativePrompt: promptText(2000),
  scene: z.string().max(2000).nullish(),
  style: z.string().max(2000).nullish(),
  fill: z.coerce.number().min(0.8, 'must be between 0.80 and 0.90').max(0.9, 'must be between 0.80 and 0.90').nullish(),
  sceneImage: z.any().optional(),
  sceneAnchor: z
    .object({ x: z.number().min(0).max(100), y: z.number().min(0).max(100) })
    .nullish(),
  sceneAngle: z.coerce.number().min(-180).max(180).nullish(),
  scenePxPerMm: z.coerce.number().positive().max(1000).nullish(),
  allowScenePreviews: z.boolean().nullish(),
});

export const slotRuleSchema = entry({
  slot: z.enum(SLOTS, { message: `must be one of ${SLOTS.join(', ')}` }),
  roles: z.array(z.enum(ROLES, { message: `must be one of ${ROLES.join(', ')}` })).min(1, 'a slot needs at least one role'),
});

const unique = <T>(key: (t: T) => string, what: string) => (items: T[] | null | undefined, ctx: z.RefinementCtx) => {
  const seen = new Set<string>();
  (items ?? []).forEach((item, index) => {
    const k = key(item);
    if (seen.has(k)) ctx.addIssue({ code: 'custom', path: [index], message: `${what} "${k}" appears twice` });
    seen.add(k);
  });
};

export const briefSchema = z.object({
  name: z.string().trim().min(1, 'a brief needs a name').max(120),
  categories: z
    .array(z.enum(CATEGORIES, { message: `must be one of ${CATEGORIES.join(', ')}` }))
    .superRefine(unique<string>((c) => c, 'category'))
    .nullish(),
  roles: z.array(roleSpecSchema).superRefine(unique((r: { role: string }) => r.role, 'role')).nullish(),
  slotPlan: z.array(slotRuleSchema).superRefine(unique((s: { slot: string }) => s.slot, 'slot')).nullish(),
  version: z.number().int().positive().optional(),
});
