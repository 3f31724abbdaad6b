import { z } from 'zod';

/**
 * The query of Replicate's webhook URL: `gen`, the generation tag this app put there. It is not
 * signed, so it is only ever a plain tag (never an object a database filter would read as an
 * operator), and it must agree with the tag in the signed body's own `webhook` URL.
 */
export const webhookQuery = z
  .object({
    gen: z
      .string({ message: 'must be a generation tag (text)' })
      .regex(/^[A-Za-z0-9-]{1,64}$/, 'must be a generation tag (letters, digits and dashes)')
      .optional(),
  })
  .strict();
