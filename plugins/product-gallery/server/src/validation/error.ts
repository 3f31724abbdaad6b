import { errors } from '@strapi/utils';
import type { z } from 'zod';

const pathOf = (path: PropertyKey[]) => path.map(String).join('.');

/** A zod failure as Strapi's 400: the message names the field, details list every problem. */
export const toValidationError = (error: z.ZodError, prefix: string[] = []) => {
  const issues = error.issues.map((issue) => {
    const path = [...prefix, ...issue.path.map(String)];
    return { path, message: `${pathOf(path) || 'body'}: ${issue.message}`, name: 'ValidationError' };
  });
  return new errors.ValidationError(issues.map((i) => i.message).join('; '), { errors: issues });
};

/** Parse or throw a 400 naming the field. */
export const parseOrThrow = <S extends z.ZodTypeAny>(schema: S, input: unknown, prefix: string[] = []): z.infer<S> => {
  const result = schema.safeParse(input);
  if (!result.success) throw toValidationError(result.error, prefix);
  return result.data;
};
