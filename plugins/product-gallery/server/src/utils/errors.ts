import { errors } from '@strapi/utils';
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

/** A wait in words an editor reads: "40 seconds", "12 minutes", "5 hours". */
export const waitInWords = (ms: number) => {
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  return seconds < 90 ? `${seconds} seconds` : seconds < 5400 ? `${Math.round(seconds / 60)} minutes` : `${Math.round(seconds / 3600)} hours`;
};

/** A 429 with Retry-After, carried like unavailable's (middlewares/error-headers.ts sends it). */
export const tooManyRequests = (retryAfterMs: number, message: string, details?: Record<string, unknown>) => {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return Object.assign(new errors.RateLimitError(message, { ...(details ?? {}), retryAfterSeconds: seconds }), { headers: { 'Retry-After': String(seconds) } });
};
