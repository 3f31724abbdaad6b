import createError from 'http-errors';

/** Statuses @strapi/utils has no class for; Strapi's error middleware passes http-errors through as-is. */
const httpError = (status: number, message: string, details?: Record<string, unknown>) =>
  Object.assign(createError(status, message, { expose: true }), { details: details ?? {} });

export const conflict = (message: string, details?: Record<string, unknown>) => httpError(409, message, details);
export const unprocessable = (message: string, details?: Record<string, unknown>) => httpError(422, message, details);
export const httpStatusError = httpError;
