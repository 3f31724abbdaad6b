/**
 * Typed errors of the Replicate gateway. Every message is meant to be shown to an editor as is,
 * and every message passes through `scrubSecrets` so the API token can never leak through one.
 */

export type ReplicateErrorCode =
  | 'unauthenticated'
  | 'insufficient_credit'
  | 'invalid_input'
  | 'rate_limited'
  | 'unavailable'
  | 'timeout'
  | 'failed'
  | 'canceled'
  | 'aborted'
  | 'output_rejected'
  | 'webhook_invalid'
  | 'config_invalid';

export interface InvalidField {
  field?: string;
  description?: string;
  [k: string]: unknown;
}

export interface ReplicateErrorOptions {
  retryable?: boolean;
  status?: number;
  /** Seconds the server asked us to wait (Retry-After), when known. */
  retryAfterSec?: number;
  predictionId?: string;
  invalidFields?: InvalidField[];
  /** Raw `detail` of Replicate's RFC 7807 body (already scrubbed). */
  detail?: string;
  cause?: unknown;
}

const DEFAULT_RETRYABLE: Record<ReplicateErrorCode, boolean> = {
  unauthenticated: false,
  insufficient_credit: false,
  invalid_input: false,
  rate_limited: true,
  unavailable: true,
  timeout: true,
  failed: false,
  canceled: false,
  aborted: true,
  output_rejected: false,
  webhook_invalid: false,
  config_invalid: false,
};

// Secrets registered here are replaced in every error message and detail. The gateway registers
// its token when it is created; `scrubSecrets` also masks anything that looks like a Replicate
// token (r8_...) or a webhook secret (whsec_...), in case one arrives by another path.
const registeredSecrets = new Set<string>();

export function registerSecret(secret: string | undefined | null): void {
  if (secret && secret.length >= 4) registeredSecrets.add(secret);
}

const TOKEN_PATTERNS: RegExp[] = [/r8_[A-Za-z0-9_-]{6,}/g, /whsec_[A-Za-z0-9+/=]{6,}/g, /(Bearer|Token)\s+[A-Za-z0-9._~+/=-]{6,}/gi];

export function scrubSecrets(text: string, extra: ReadonlyArray<string | undefined> = []): string {
  let out = String(text);
  for (const s of [...registeredSecrets, ...extra]) {
    if (s && s.length >= 4) out = out.split(s).join('[redacted]');
  }
  for (const re of TOKEN_PATTERNS) out = out.replace(re, (m) => (/^(Bearer|Token)/i.test(m) ? `${m.split(/\s+/)[0]} [redacted]` : '[redacted]'));
  return out;
}

export class ReplicateError extends Error {
  readonly code: ReplicateErrorCode;
  readonly retryable: boolean;
  readonly status?: number;
  readonly retryAfterSec?: number;
  readonly predictionId?: string;
  readonly invalidFields?: InvalidField[];
  readonly detail?: string;

  constructor(code: ReplicateErrorCode, message: string, opts: ReplicateErrorOptions = {}) {
    super(scrubSecrets(message));
    this.name = 'ReplicateError';
    this.code = code;
    this.retryable = opts.retryable ?? DEFAULT_RETRYABLE[code];
    if (opts.status !== undefined) this.status = opts.status;
    if (opts.retryAfterSec !== undefined) this.retryAfterSec = opts.retryAfterSec;
    if (opts.predictionId !== undefined) this.predictionId = opts.predictionId;
    if (opts.invalidFields !== undefined) this.invalidFields = JSON.parse(scrubSecrets(JSON.stringify(opts.invalidFields))) as InvalidField[];
    if (opts.detail !== undefined) this.detail = scrubSecrets(opts.detail);
    // The cause is deliberately kept only as a scrubbed message: an original error object from
    // fetch/undici can carry request headers (the Authorization header) in its properties.
    if (opts.cause !== undefined) {
      const c = opts.cause as { message?: unknown; name?: unknown };
      Object.defineProperty(this, 'cause', {
        value: { name: String(c?.name ?? 'Error'), message: scrubSecrets(String(c?.message ?? c)) },
        enumerable: false,
      });
    }
    if (this.stack) this.stack = scrubSecrets(this.stack);
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      retryable: this.retryable,
      status: this.status,
      retryAfterSec: this.retryAfterSec,
      predictionId: this.predictionId,
      invalidFields: this.invalidFields,
      detail: this.detail,
    };
  }
}

export function isReplicateError(e: unknown): e is ReplicateError {
  return e instanceof ReplicateError;
}

/** RFC 7807-ish body Replicate sends with errors. */
export interface ProblemBody {
  title?: string;
  detail?: string;
  status?: number;
  invalid_fields?: InvalidField[];
}

function describeInvalid(fields: InvalidField[] | undefined): string {
  if (!fields || fields.length === 0) return '';
  const parts = fields.slice(0, 5).map((f) => [f.field, f.description].filter(Boolean).join(': ')).filter(Boolean);
  return parts.length ? ` (${parts.join('; ')})` : '';
}

/** Maps an HTTP error answer of the API to a typed error with an editor-readable message. */
export function errorFromResponse(status: number, body: ProblemBody | undefined, retryAfterSec?: number): ReplicateError {
  const detail = typeof body?.detail === 'string' ? body.detail : undefined;
  const base = { status, detail, retryAfterSec };
  if (status === 401 || status === 403) {
    return new ReplicateError('unauthenticated', 'Replicate rejected the API token. Check REPLICATE_API_TOKEN in the plugin settings.', base);
  }
  if (status === 402) {
    return new ReplicateError('insufficient_credit', 'The Replicate account has insufficient credit. Add credit on replicate.com, then retry.', base);
  }
  if (status === 422 || status === 400 || status === 404) {
    const fields = Array.isArray(body?.invalid_fields) ? body!.invalid_fields : undefined;
    return new ReplicateError(
      'invalid_input',
      `Replicate refused the request as invalid${detail ? `: ${detail}` : ''}${describeInvalid(fields)}`,
      { ...base, invalidFields: fields },
    );
  }
  if (status === 413) {
    return new ReplicateError('invalid_input', `The file is too large for Replicate${detail ? `: ${detail}` : ''}`, base);
  }
  if (status === 429) {
    return new ReplicateError(
      'rate_limited',
      `Replicate is throttling requests${retryAfterSec !== undefined ? ` (retry in ~${Math.ceil(retryAfterSec)} s)` : ''}. Try again shortly.`,
      base,
    );
  }
  if (status >= 500) {
    return new ReplicateError('unavailable', `Replicate is temporarily unavailable (HTTP ${status}). Try again shortly.`, base);
  }
  return new ReplicateError('invalid_input', `Replicate answered HTTP ${status}${detail ? `: ${detail}` : ''}`, { ...base, retryable: false });
}
