import { errors } from '@strapi/utils';
import type { z } from 'zod';

type Path = (string | number)[];

/**
 * How a form names its problems: `field` turns a path into the words an editor sees beside the
 * input, `issue` words zod's own (developer) messages; `sentence` puts the two together.
 */
export interface Wording {
  field: (path: Path, input: unknown) => string;
  issue?: z.core.$ZodErrorMap;
}

const pathOf = (path: PropertyKey[]) => path.map(String).join('.');

/** "Name" + "must be ..." reads as one sentence; any other rule follows a colon. */
export const sentence = (field: string, rule: string) =>
  /^(must|is|are|has|have|can|cannot|needs?) /.test(rule) ? `${field} ${rule}` : `${field}: ${rule}`;

/** A zod failure as Strapi's 400: the message names the field, details list every problem. */
export const toValidationError = (error: z.ZodError, prefix: string[] = [], wording?: Wording, input?: unknown) => {
  const issues = error.issues.map((issue) => {
    const own = issue.path.map((p) => (typeof p === 'number' ? p : String(p)));
    const path = [...prefix, ...own.map(String)];
    const message = wording ? sentence(wording.field(own, input), issue.message) : `${pathOf(path) || 'body'}: ${issue.message}`;
    return { path, message, name: 'ValidationError' };
  });
  return new errors.ValidationError(issues.map((i) => i.message).join('; '), { errors: issues });
};

/** Parse or throw a 400 naming the field (in the form's words when `wording` is given). */
export const parseOrThrow = <S extends z.ZodTypeAny>(schema: S, input: unknown, prefix: string[] = [], wording?: Wording): z.infer<S> => {
  const result = wording?.issue ? schema.safeParse(input, { error: wording.issue }) : schema.safeParse(input);
  if (!result.success) throw toValidationError(result.error, prefix, wording, input);
  return result.data;
};
