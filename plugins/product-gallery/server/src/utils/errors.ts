import createError from 'http-errors';

/** Statuses @strapi/utils has no class for; Strapi's error middleware passes http-errors through as-is. */
const httpError = (status: number, message: string, details?: Record<string, unknown>) =>
  Object.assign(createError(status, message, { expose: true }), { details: details ?? {} });

export const conflict = (message: string, details?: Record<string, unknown>) => httpError(409, message, details);
export const unprocessable = (message: string, details?: Record<string, unknown>) => httpError(422, message, details);
export const httpStatusError = httpError;

/**
 * 503 for a moment of overload, with a Retry-After. Strapi's error middleware sends no headers of
 * an error's own; middlewares/error-headers.ts sends the ones it carries.
 */
export const unavailable = (message: string, retryAfterSec: number, details?: Record<string, unknown>) =>
  Object.assign(httpError(503, message, { ...details, retryAfterSec }), { headers: { 'Retry-After': String(retryAfterSec) } });
