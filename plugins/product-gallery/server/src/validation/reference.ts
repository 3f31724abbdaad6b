import { z } from 'zod';

const unit = (what: string) => z.number({ message: `${what} must be a number from 0 to 1 (a fraction of the photo)` }).min(0, `${what} must be at least 0`).max(1, `${what} must be at most 1`);

/** One keep or remove brush stroke, in source-relative coordinates (0..1 of the photo's width and height). */
export const strokeSchema = z
  .object({
    mode: z.enum(['keep', 'remove'], { message: 'must be keep or remove' }),
    radius: z
      .number({ message: 'must be a number: the brush radius as a fraction of the photo\'s long side' })
      .min(0.001, 'must be at least 0.001 of the photo\'s long side')
      .max(0.25, 'must be at most 0.25 of the photo\'s long side'),
    points: z.array(z.object({ x: unit('x'), y: unit('y') }).strict()).min(1, 'a stroke needs at least one point').max(2000, 'at most 2000 points per stroke'),
  })
  .strict();

export const strokesField = z.array(strokeSchema).max(200, 'at most 200 strokes');

export const previewBody = z
  .object({
    strokes: strokesField.min(1, 'draw at least one keep or remove stroke to preview a refinement'),
    /** Start from the AI background remover's mask instead of the automatic cutout. */
    from: z.enum(['auto', 'ai'], { message: 'must be auto or ai' }).default('auto'),
  })
  .strict();

export const confirmBody = z
  .object({
    strokes: strokesField.default([]),
    from: z.enum(['auto', 'ai'], { message: 'must be auto or ai' }).default('auto'),
    note: z.string().trim().max(1000, 'at most 1000 characters').optional(),
  })
  .strict();
