/**
 * The server's own message for a failed request: Strapi errors arrive as
 * `{ error: { status, name, message, details } }` (FetchError.response.data.error).
 */
export const serverMessage = (error: unknown, fallback = 'Request failed'): string => {
  const e = error as {
    response?: { data?: { error?: { message?: string; details?: unknown } } };
    message?: string;
  };
  const fromServer = e?.response?.data?.error?.message;
  if (fromServer) return fromServer;
  if (typeof e?.message === 'string' && e.message) return e.message;
  return fallback;
};

export const serverStatus = (error: unknown): number | undefined => {
  const e = error as { status?: number; response?: { status?: number; data?: { error?: { status?: number } } } };
  return e?.response?.data?.error?.status ?? e?.status ?? e?.response?.status;
};

/** One entry of the server's `details` for a failed request (e.g. a 409's `current` state). */
export const serverDetail = <T = unknown>(error: unknown, key: string): T | undefined => {
  const details = (error as { response?: { data?: { error?: { details?: Record<string, unknown> } } } })?.response?.data?.error?.details;
  return details && typeof details === 'object' ? (details[key] as T | undefined) : undefined;
};
