import { z } from 'zod';
import { MODEL_NAME, MODEL_NAME_RULE } from '../replicate/model-id';

/**
 * How a Replicate model is spoken to. Built-in adapters and the ones a host app registers in the
 * plugin config share this one description, so the generic input builder serves both.
 */
export const MODEL_KINDS = ['edit', 'cutout', 'inpaint', 'upscale'] as const;
export type ModelKind = (typeof MODEL_KINDS)[number];

export const INPUT_FORMATS = ['image/jpeg', 'image/png', 'image/webp', 'image/gif'] as const;
export type InputFormat = (typeof INPUT_FORMATS)[number];

const ratio = z.string().regex(/^[1-9][0-9]?:[1-9][0-9]?$/, 'must be a ratio such as 4:5');
const field = z.string().regex(/^[a-z_][a-z0-9_]*$/, 'must be an input field name such as input_image');

export const modelDescriptionSchema = z
  .object({
    /** `owner/name` on Replicate. */
    id: z.string().regex(MODEL_NAME, MODEL_NAME_RULE),
    kind: z.enum(MODEL_KINDS),
    /**
     * Official models run on /v1/models/{owner}/{name}/predictions and are priced per image;
     * community models only run by version on /v1/predictions (the models endpoint answers 404).
     */
    official: z.boolean(),
    version: z.string().regex(/^[0-9a-f]{64}$/, 'must be a 64-character version id').optional(),
    /** USD booked against the cost caps per prediction. Never 0: a free model would pass every cap. */
    price: z.number().positive('must be a price in USD above 0'),
    /** What the price is made of, for the README and the admin. */
    priceNote: z.string().max(200).optional(),
    use: z.string().min(1).max(300),
    photo: z.object({
      field,
      /** A list (nano-banana, seedream) or one URL. */
      as: z.enum(['string', 'array']),
      formats: z.array(z.enum(INPUT_FORMATS)).min(1),
      maxBytes: z.number().int().positive(),
      maxPixels: z.number().int().positive(),
      maxSide: z.number().int().positive().optional(),
      minSide: z.number().int().positive().optional(),
    }),
    prompt: z
      .object({
        field,
        /** Only a model with a field for it gets a negative prompt; the others are told what to keep. */
        negativeField: field.optional(),
      })
      .optional(),
    aspect: z
      .object({
        field,
        ratios: z.array(ratio).min(1),
        /** The value that keeps the input's ratio, when the model has one. */
        matchInput: z.string().optional(),
      })
      .optional(),
    seedField: field.optional(),
    /** Upscalers: the factor field and its largest value. */
    scale: z.object({ field, max: z.number().positive() }).optional(),
    /** Constant inputs, sent as they are (output format, safety level...). */
    fixedInput: z.record(z.string(), z.unknown()).default({}),
    output: z.object({
      shape: z.enum(['string', 'array']),
      /** What comes back, in words, for the README: "about 1 MP", "the input's size x scale". */
      size: z.string().max(120),
    }),
  })
  .superRefine((m, ctx) => {
    if (!m.official && !m.version) ctx.addIssue({ code: 'custom', path: ['version'], message: 'a community model runs only by version: give its version id' });
    if (m.kind === 'upscale' && !m.scale) ctx.addIssue({ code: 'custom', path: ['scale'], message: 'an upscaler needs its scale field' });
    if (m.kind === 'edit' && !m.prompt) ctx.addIssue({ code: 'custom', path: ['prompt'], message: 'an editing model needs its prompt field' });
  });

export type ModelDescription = z.output<typeof modelDescriptionSchema>;
export type ModelDescriptionInput = z.input<typeof modelDescriptionSchema>;

/** What a shot asks of a model; the adapter turns it into that model's input. */
export interface ModelRequest {
  /** The source photo, already a data URI or an uploaded file's URL. */
  image: string;
  prompt?: string;
  negativePrompt?: string;
  /** The brief's ratio, `w:h`. */
  aspectRatio?: string;
  seed?: number;
  scale?: number;
  mask?: string;
}

/** Where a creation goes: an official model by name, or a community model by version. */
export type ModelRoute = { model: string; version?: undefined } | { version: string; model?: undefined };
