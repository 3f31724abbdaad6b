/**
 * The one place that talks HTTP to the Replicate API.
 *
 * Why not through the `replicate` npm client (1.4.0)? Every API method of the client goes through
 * its `request()`, which wraps the call in `withAutomaticRetries`. That loop
 *   - retries 429/5xx without actually sleeping (6 POSTs in ~70 ms) and ignores Retry-After,
 *   - catches *any* error thrown by `fetch` and retries again, so a custom `fetch` that does its
 *     own backoff and throws a typed error would be multiplied by 6 and its error swallowed,
 *   - has no per-request timeout and no AbortSignal,
 * and its `wait()` polls forever on `aborted`. Giving it a `fetch` of our own cannot fix the first
 * two points, so API calls are made here directly (a handful of JSON endpoints), with our own
 * backoff, Retry-After handling, timeouts, typed errors and token scrubbing.
 */
import { abortReason, DEFAULT_RETRY_POLICY, fullJitterDelay, parseRetryAfter, systemClock, type RetryPolicy } from './backoff';
import { errorFromResponse, ReplicateError, registerSecret, scrubSecrets, type ProblemBody } from './errors';
import type { Clock, FetchLike } from './types';

export interface HttpClientOptions {
  apiToken: string;
  baseUrl: string;
  fetch?: FetchLike;
  clock?: Clock;
  retry?: Partial<RetryPolicy>;
  requestTimeoutMs?: number;
  random?: () => number;
  /** Called for each attempt outcome (no headers, no bodies: safe to log). */
  onEvent?: (event: HttpEvent) => void;
  userAgent?: string;
}

export type HttpEvent =
  | { type: 'response'; method: string; path: string; status: number; attempt: number; ms: number }
  | { type: 'network_error'; method: string; path: string; attempt: number; message: string }
  | { type: 'retry'; method: string; path: string; attempt: number; delayMs: number; reason: string };

export interface RequestOptions {
  method: 'GET' | 'POST' | 'DELETE';
  /** Path below the base URL (`/predictions`) or an absolute URL on the API origin (pagination `next`). */
  path: string;
  json?: unknown;
  body?: FormData;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  timeoutMs?: number;
  /**
   * Whether a failure that may have reached the server (network error, timeout, 5xx) is retried.
   * Prediction creation sets this to false and decides itself (see gateway dedupe); 429 is always
   * retryable since a throttled request did nothing.
   */
  retryAmbiguous?: boolean;
  /** Overrides of the retry policy for this call. */
  retry?: Partial<RetryPolicy>;
}

export interface HttpResponse<T> {
  status: number;
  data: T;
  headers: Headers;
}

export interface HttpClient {
  request<T>(opts: RequestOptions): Promise<HttpResponse<T>>;
  readonly baseUrl: string;
  readonly clock: Clock;
  readonly policy: RetryPolicy;
  readonly random: () => number;
}

class AttemptTimeout extends Error {
  constructor() {
    super('attempt timed out');
    this.name = 'AttemptTimeout';
  }
}

/**
 * Wait before retry number `attempt + 1`: the server's Retry-After when given (never less, plus up
 * to 250 ms of jitter so waiting callers don't stampede), else exponential backoff with full jitter.
 */
export function retryDelayFor(err: ReplicateError, attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  if (err.retryAfterSec !== undefined) return Math.ceil(err.retryAfterSec * 1000) + Math.floor(random() * 250);
  return fullJitterDelay(attempt, policy, random);
}

export function createHttpClient(opts: HttpClientOptions): HttpClient {
  if (!opts.apiToken) throw new ReplicateError('unauthenticated', 'No Replicate API token is configured.');
  registerSecret(opts.apiToken);
  const token = opts.apiToken;
  const baseUrl = opts.baseUrl.replace(/\/+$/, '');
  const base = new URL(baseUrl);
  const doFetch: FetchLike = opts.fetch ?? ((input, init) => fetch(input, init));
  const clock = opts.clock ?? systemClock;
  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...opts.retry };
  const requestTimeoutMs = opts.requestTimeoutMs ?? 30_000;
  const random = opts.random ?? Math.random;
  const scrub = (s: string) => scrubSecrets(s, [token]);

  function resolveUrl(path: string): string {
    if (/^https?:\/\//i.test(path)) {
      const u = new URL(path);
      // Pagination links come from the server; never send our token to another origin.
      if (u.origin !== base.origin) {
        throw new ReplicateError('invalid_input', 'Replicate returned a link to another origin; refusing to follow it.', { retryable: false });
      }
      return u.toString();
    }
    // A dot segment (plain or percent-encoded) would leave the path asked for, token attached.
    const segments = path.split('?')[0]!.split('/').map((p) => {
      try {
        return decodeURIComponent(p);
      } catch {
        return p;
      }
    });
    if (segments.some((p) => p === '.' || p === '..' || p.includes('/') || p.includes('\\'))) {
      throw new ReplicateError('invalid_input', 'Refusing to call a Replicate API path with a "." or ".." segment or an encoded slash.', { retryable: false });
    }
    return `${baseUrl}${path.startsWith('/') ? '' : '/'}${path}`;
  }

  interface RawAnswer {
    status: number;
    ok: boolean;
    headers: Headers;
    text: string;
  }

  async function attempt(url: string, o: RequestOptions, timeoutMs: number): Promise<RawAnswer> {
    const ctrl = new AbortController();
    const onOuterAbort = () => ctrl.abort(abortReason(o.signal!));
    if (o.signal) {
      if (o.signal.aborted) throw abortReason(o.signal);
      o.signal.addEventListener('abort', onOuterAbort, { once: true });
    }
    const timer = setTimeout(() => ctrl.abort(new AttemptTimeout()), timeoutMs);
    try {
      const headers: Record<string, string> = {
        Authorization: `Bearer ${token}`,
        Accept: 'application/json',
        'User-Agent': opts.userAgent ?? 'strapi-plugin-product-gallery',
        ...o.headers,
      };
      let body: string | FormData | undefined;
      if (o.json !== undefined) {
        headers['Content-Type'] = 'application/json';
        body = JSON.stringify(o.json);
      } else if (o.body) body = o.body;
      const res = await doFetch(url, { method: o.method, headers, body, signal: ctrl.signal, redirect: 'error' });
      // Read the body under the same timeout: a server can send headers and then hang.
      const text = await res.text();
      return { status: res.status, ok: res.ok, headers: res.headers, text };
    } catch (e) {
      if (ctrl.signal.aborted && (ctrl.signal as AbortSignal & { reason?: unknown }).reason instanceof AttemptTimeout) throw new AttemptTimeout();
      throw e;
    } finally {
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', onOuterAbort);
    }
  }

  async function request<T>(o: RequestOptions): Promise<HttpResponse<T>> {
    const url = resolveUrl(o.path);
    const pathForLog = new URL(url).pathname;
    const p: RetryPolicy = { ...policy, ...o.retry };
    const started = clock.now();
    const timeoutMs = o.timeoutMs ?? requestTimeoutMs;
    const retryAmbiguous = o.retryAmbiguous ?? true;
    let lastError: ReplicateError | undefined;

    for (let n = 0; n < p.maxAttempts; n++) {
      let res: RawAnswer | undefined;
      let failure: ReplicateError;
      const t0 = clock.now();
      try {
        res = await attempt(url, o, timeoutMs);
      } catch (e) {
        if (o.signal?.aborted) {
          throw new ReplicateError('canceled', 'The request to Replicate was canceled.', { retryable: false, cause: e });
        }
        const isTimeout = e instanceof AttemptTimeout;
        failure = isTimeout
          ? new ReplicateError('timeout', `Replicate did not answer within ${Math.round(timeoutMs / 1000)} s.`, { cause: e })
          : new ReplicateError('unavailable', `Could not reach Replicate (${scrub(String((e as Error)?.message ?? e))}).`, { cause: e });
        opts.onEvent?.({ type: 'network_error', method: o.method, path: pathForLog, attempt: n + 1, message: failure.message });
        if (!retryAmbiguous && o.method !== 'GET') throw failure;
        lastError = failure;
      }

      if (res) {
        opts.onEvent?.({ type: 'response', method: o.method, path: pathForLog, status: res.status, attempt: n + 1, ms: clock.now() - t0 });
        const text = res.text;
        let parsed: unknown;
        try {
          parsed = text ? JSON.parse(text) : undefined;
        } catch {
          parsed = undefined;
        }
        if (res.ok) {
          if (parsed === undefined) {
            throw new ReplicateError('unavailable', `Replicate answered HTTP ${res.status} with a body that is not JSON.`, { status: res.status });
          }
          return { status: res.status, data: parsed as T, headers: res.headers };
        }
        const retryAfterSec = parseRetryAfter(res.headers.get('retry-after'), clock.now());
        failure = errorFromResponse(res.status, (parsed && typeof parsed === 'object' ? parsed : undefined) as ProblemBody | undefined, retryAfterSec);
        if (!failure.retryable) throw failure;
        if (res.status >= 500 && !retryAmbiguous && o.method !== 'GET') throw failure;
        lastError = failure;
      }

      // Decide the wait before the next attempt.
      if (n + 1 >= p.maxAttempts) break;
      const err = lastError!;
      const delayMs = retryDelayFor(err, n, p, random);
      const elapsed = clock.now() - started;
      if (elapsed + delayMs > p.maxTotalMs) break;
      opts.onEvent?.({ type: 'retry', method: o.method, path: pathForLog, attempt: n + 1, delayMs, reason: err.code });
      try {
        await clock.sleep(delayMs, o.signal);
      } catch (e) {
        throw new ReplicateError('canceled', 'The request to Replicate was canceled.', { retryable: false, cause: e });
      }
    }
    throw lastError ?? new ReplicateError('unavailable', 'Replicate request failed.');
  }

  return { request, baseUrl, clock, policy, random };
}
