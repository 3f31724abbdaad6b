/**
 * Typed errors of the image pipeline. Every refusal carries a stable `code` (for the API and the
 * admin UI), an HTTP-ish `status` and a message an editor understands. Plain data only in
 * `details` so the error can be rebuilt on the other side of a worker thread (see `toJSON` /
 * `pipelineErrorFromJSON`).
 */
export type PipelineErrorCode =
  | 'unsupported_format'
  | 'too_many_bytes'
  | 'too_many_pixels'
  | 'corrupt'
  | 'blank'
  | 'transparent'
  | 'too_small'
  | 'invalid_option'
  | 'missing_dimensions'
  | 'product_cut_off'
  | 'busy';

export type PipelineErrorStatus = 413 | 415 | 422 | 503;

export const PIPELINE_ERROR_STATUS: Record<PipelineErrorCode, PipelineErrorStatus> = {
  unsupported_format: 415,
  too_many_bytes: 413,
  too_many_pixels: 413,
  corrupt: 422,
  blank: 422,
  transparent: 422,
  too_small: 422,
  invalid_option: 422,
  missing_dimensions: 422,
  product_cut_off: 422,
  busy: 503,
};

export interface PipelineErrorJSON {
  name: 'PipelineError';
  code: PipelineErrorCode;
  status: PipelineErrorStatus;
  message: string;
  details?: Record<string, unknown>;
}

export class PipelineError extends Error {
  readonly code: PipelineErrorCode;
  readonly status: PipelineErrorStatus;
  readonly details?: Record<string, unknown>;

  constructor(code: PipelineErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'PipelineError';
    this.code = code;
    this.status = PIPELINE_ERROR_STATUS[code];
    if (details !== undefined) this.details = details;
    Object.setPrototypeOf(this, PipelineError.prototype);
  }

  toJSON(): PipelineErrorJSON {
    const out: PipelineErrorJSON = { name: 'PipelineError', code: this.code, status: this.status, message: this.message };
    if (this.details !== undefined) out.details = this.details;
    return out;
  }
}

export function isPipelineError(err: unknown): err is PipelineError {
  if (err instanceof PipelineError) return true;
  // Structured-clone across worker threads drops the prototype: accept the plain shape too.
  const e = err as Partial<PipelineErrorJSON> | null;
  return !!e && typeof e === 'object' && e.name === 'PipelineError' && typeof e.code === 'string' && typeof e.status === 'number';
}

/** Rebuild a PipelineError from its JSON form (e.g. after crossing a worker boundary). */
export function pipelineErrorFromJSON(json: PipelineErrorJSON): PipelineError {
  return new PipelineError(json.code, json.message, json.details);
}
