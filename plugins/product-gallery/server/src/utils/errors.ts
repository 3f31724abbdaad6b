import { errors } from '@strapi/utils';
import createError from 'http-errors';

/** Statuses @strapi/utils has no class for; Strapi's error middleware passes http-errors through as-is. */
const httpError = (status: number, message: string, details?: Record<string, unknown>) =>
  Object.assign(createError(status, message, { expose: true }), { details: details ?? {} });

export const conflict = (message: string, details?: Record<string, unknown>) => httpError(409, message, details);
export const unprocessable = (message: string, details?: Record<string, unknown>) => httpError(422, message, details);
export const httpStatusError = httpError;

/**
 * 503 for a moment of overload. Strapi's error middleware sends no headers of an error's own, so
 * the Retry-After travels on the error and a controller sends it (sendErrorHeaders).
 */
export const unavailable = (message: string, retryAfterSec: number, details?: Record<string, unknown>) =>
  Object.assign(httpError(503, message, { ...details, retryAfterSec }), { headers: { 'Retry-After': String(retryAfterSec) } });

/** Runs a controller's work, sending the headers an error carries (a 503's Retry-After) with its answer. */
export const sendErrorHeaders = async <T>(ctx: { set(headers: Record<string, string>): void }, work: () => Promise<T>): Promise<T> => {
  try {
    return await work();
  } catch (error) {
    const headers = (error as { headers?: Record<string, string> } | null)?.headers;
    if (headers) ctx.set(headers);
    throw error;
  }
};

/** A wait in words an editor reads: "40 seconds", "12 minutes", "5 hours". */
export const waitInWords = (ms: number) => {
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  return seconds < 90 ? `${seconds} seconds` : seconds < 5400 ? `${Math.round(seconds / 60)} minutes` : `${Math.round(seconds / 3600)} hours`;
};

/**
 * A 429 with Retry-After, set on the response now: Strapi's error middleware keeps response
 * headers. `response`: the Koa response (a policy's context copies only the request's own fields).
 */
export const tooManyRequests = (response: { set(field: string, value: string): void }, retryAfterMs: number, message: string, details?: Record<string, unknown>) => {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  response.set('Retry-After', String(seconds));
  return new errors.RateLimitError(message, { ...(details ?? {}), retryAfterSeconds: seconds });
};
