/** Scenario knobs of the fake Replicate server. */

export type Endpoint = 'create' | 'get' | 'list' | 'cancel' | 'files' | 'secret' | 'any';

/** One injected fault, consumed by one matching request. */
export interface HttpFault {
  /** Which API endpoint it applies to (default `create`). */
  endpoint?: Endpoint;
  /** Answer with this status and an RFC 7807 body matching Replicate's (401, 402, 422, 429, 500, 503...). */
  status?: number;
  /** Retry-After header (seconds or an HTTP date) on the answer. */
  retryAfter?: string | number;
  /** Override the body. */
  body?: unknown;
  /** Wait this long before answering (slow response). Combined with status or a normal answer. */
  delayMs?: number;
  /** Never answer (the socket stays open until the server closes). */
  hang?: boolean;
  /** Let the request through normally (a placeholder to target the Nth request). */
  pass?: boolean;
  /** Process the request normally (e.g. create the prediction) but then answer with `status`. */
  afterEffect?: boolean;
  /**
   * A prediction read (`get`) whose answer is in flight while the prediction completes: it says
   * what the prediction was when the request arrived, and arrives only after the completion's
   * webhook was delivered.
   */
  staleUntilDelivered?: boolean;
}

export type OutputMode =
  | 'normal'
  /** Output URL on a host that is not allowed (`localhost:<port>` — reachable, but not listed). */
  | 'disallowed-host'
  /** Allowed URL that 302-redirects to a disallowed host. */
  | 'redirect-disallowed'
  /** Allowed URL that redirects to another allowed URL (one hop). */
  | 'redirect-allowed'
  /** Redirects forever on the allowed host. */
  | 'redirect-loop'
  /** Allowed URL that 302-redirects to `redirectLocation` (a CDN hop somewhere else). */
  | 'redirect-to'
  /** Content-Length larger than the bytes that are sent, then the socket is cut. */
  | 'truncated'
  /** An HTML page (text/html) instead of an image. */
  | 'html'
  /** A body of `oversizedBytes` with Content-Length. */
  | 'oversized'
  /** A body of `oversizedBytes` streamed without Content-Length (chunked). */
  | 'oversized-chunked'
  /** A PNG signature followed by garbage, served as image/png (the intake must reject it). */
  | 'corrupt'
  /** Headers sent, body never finishes. */
  | 'hang';

export interface WebhookFaults {
  /** Send every delivery this many extra times (same webhook-id). */
  duplicates?: number;
  /** Hold all deliveries until the prediction is terminal, then send them newest first. */
  outOfOrder?: boolean;
  /** Delay each delivery by this many ms. */
  delayMs?: number;
  /** Sign with this secret instead of the server's (a wrong-secret delivery). */
  signWithSecret?: string;
  /** Never deliver (Replicate could not reach the endpoint and gave up). */
  drop?: boolean;
}

export type Outcome = 'succeeded' | 'failed' | 'canceled' | 'aborted';

export interface Scenario {
  /** Queue of HTTP faults, each consumed by the next matching request. */
  faults: HttpFault[];
  /** starting -> processing delay, ms. */
  startDelayMs: number;
  /** processing -> terminal, ms. */
  latencyMs: number;
  /** Stay `processing` until the test calls `release(id)` (a model run that takes as long as it takes). */
  hold?: boolean;
  outcome: Outcome;
  /** Error message of a failed prediction. */
  errorMessage: string;
  output: OutputMode;
  /** Set the output halfway through `processing` (the `Prefer: wait` quirk of file outputs). */
  outputWhileProcessing: boolean;
  /** Force `string` (one URL) or `array` of URLs; by default a known model answers in its own shape. */
  outputShape?: 'string' | 'array';
  oversizedBytes: number;
  /** Where a `redirect-to` output sends the download. */
  redirectLocation?: string;
  webhook: WebhookFaults;
  /** Max creations per second (sliding 1 s window); beyond, 429. 0 = unlimited. */
  creationRateLimit: number;
  /** Retry-After sent with creation-rate-limit 429s (undefined = header absent). */
  creationRateLimitRetryAfter?: number;
  /** Replicate down for a while: see `Outage`. */
  outage?: Outage;
}

/**
 * An outage of Replicate's API, as it looks from outside: until `until` (epoch ms) every API
 * request is answered with a 5xx before anything else (authentication included), in turn 503
 * (problem JSON), 500 (problem JSON) and 502 (the edge's HTML page, not JSON). Output files
 * (another host at Replicate) are still served.
 */
export interface Outage {
  until: number;
  /** Every Nth creation during the outage is carried out before its 5xx is sent (the ambiguous case); 0 or absent: none. */
  processedEvery?: number;
}

export const DEFAULT_SCENARIO: Scenario = {
  faults: [],
  startDelayMs: 20,
  latencyMs: 100,
  outcome: 'succeeded',
  errorMessage: 'CUDA out of memory',
  output: 'normal',
  outputWhileProcessing: false,
  oversizedBytes: 2 * 1024 * 1024,
  webhook: {},
  creationRateLimit: 0,
};
