/**
 * The Replicate gateway: what the generation dispatcher calls. Plain TypeScript, no Strapi.
 *
 * - creation with dedupe by our durable generation id (`tag`), rate-limit hook, own backoff;
 * - polling with a deadline, AbortSignal and remote cancel, `aborted` treated as terminal;
 * - file upload via POST /v1/files (never the client's data-uri strategy, which leaks the token);
 * - guarded output download; webhook secret retrieval.
 */
import { type RetryPolicy } from './backoff';
import { MODEL_NAME, MODEL_NAME_RULE, modelPath, VERSION_REF } from './model-id';
import { downloadOutput as guardedDownload, type DownloadedOutput, type DownloadOptions, type ResolveHost } from './download';
import { DEFAULT_BASE_URL } from './config';
import { ReplicateError, registerSecret } from './errors';
import { createHttpClient, retryDelayFor, type HttpClient, type HttpEvent } from './http';
import { DATA_URI_MAX_BYTES, inputHash, inputsEqual, toDataUri } from './input';
import { isTerminalStatus } from './status';
import type { Clock, FetchLike, Prediction, PredictionPage, ReplicateFile, WebhookEventType } from './types';
import { tagFromWebhookUrl, webhookUrlWithTag } from './webhook';

export interface GatewayOptions {
  apiToken: string;
  baseUrl?: string;
  fetch?: FetchLike;
  clock?: Clock;
  random?: () => number;
  retry?: Partial<RetryPolicy>;
  requestTimeoutMs?: number;
  /** Public base URL of our webhook route; `?gen=<tag>` is appended per creation. */
  webhookBaseUrl?: string;
  allowedOutputHosts?: readonly string[];
  /** How output host names are resolved before their addresses are checked (default: the system resolver). */
  resolveHost?: ResolveHost;
  maxOutputBytes?: number;
  downloadTimeoutMs?: number;
  pollIntervalMs?: number;
  /** Global creation rate limit supplied by the dispatcher; awaited before every creation POST. */
  beforeCreate?: (attempt: { retry: boolean }) => Promise<void>;
  /**
   * Durable record of creations (the dispatcher persists it). Called with phase `intent` before the
   * POST is sent and with phase `created` (prediction id known) after it answered. Awaited: if
   * persisting the intent fails, nothing is created.
   */
  recordCreation?: (record: CreationRecord) => Promise<void> | void;
  onEvent?: (event: HttpEvent | GatewayEvent) => void;
}

export type GatewayEvent =
  | { type: 'create_reused'; tag: string; predictionId: string; via: 'webhook_tag' | 'model_input' }
  | { type: 'create_ambiguous_failure'; tag: string; attempt: number; code: string };

export interface CreationRecord {
  phase: 'intent' | 'created';
  tag: string;
  model?: string;
  version?: string;
  inputHash: string;
  /** The exact input sent (intent phase): a restart sends and looks for this, not a rebuilt one. */
  input?: Record<string, unknown>;
  webhook?: string;
  /** ms since epoch, by the gateway's clock, when the intent was recorded. */
  at: number;
  predictionId?: string;
  reused?: boolean;
}

export interface CreatePredictionParams {
  /** `owner/name` of an official model (POST /models/{owner}/{name}/predictions)... */
  model?: string;
  /** ...or a version id / `owner/name:version` (POST /predictions). Exactly one of the two. */
  version?: string;
  input: Record<string, unknown>;
  /** Our durable generation id. */
  tag: string;
  /** `true` = use the configured webhook base URL; a string = that URL. `?gen=<tag>` is added. */
  webhook?: boolean | string;
  webhookEventsFilter?: WebhookEventType[];
  /** `Prefer: wait=N` (1..60): the answer may already carry output (even while `processing`). */
  preferWaitSec?: number;
  /** `Cancel-After` header, e.g. `10m`: Replicate cancels the prediction after this lifetime. */
  cancelAfter?: string;
  /**
   * After a crash/restart: look for a prediction already created for this tag since this time
   * (ms epoch or Date) before creating one. Omit on a first attempt.
   */
  recentWindow?: { since: number | Date };
  signal?: AbortSignal;
  /** Called as each creation request goes out (after the rate limit), before its answer. */
  onSend?: () => void;
}

export interface CreatedPrediction {
  prediction: Prediction;
  /** True when an existing prediction for the tag was found and no new one was created. */
  reused: boolean;
}

export interface FindMatch {
  model?: string;
  version?: string;
  input?: Record<string, unknown>;
  /** Prediction ids already attributed to other generations: never matched by input. */
  excludeIds?: Iterable<string>;
  signal?: AbortSignal;
  maxPages?: number;
}

export interface WaitOptions {
  /** Absolute deadline (ms epoch or Date). Default: now + 10 min. */
  deadline?: number | Date;
  signal?: AbortSignal;
  pollIntervalMs?: number;
  onUpdate?: (prediction: Prediction) => void;
  /** Cancel the prediction on Replicate when the signal aborts (default true). */
  cancelOnAbort?: boolean;
  /** Cancel the prediction on Replicate when the deadline passes (default true). */
  cancelOnDeadline?: boolean;
  /** A prediction already in hand (e.g. the creation answer): returned at once when terminal. */
  initial?: Prediction;
  /**
   * Return as soon as a `processing` prediction carries output (the `Prefer: wait` quirk for file
   * outputs) instead of waiting for `succeeded`. Default false.
   */
  returnOnOutput?: boolean;
}

export interface ListOptions {
  createdAfter?: number | Date | string;
  createdBefore?: number | Date | string;
  /** `next` URL of a previous page. */
  cursor?: string;
  signal?: AbortSignal;
}

export interface UploadOptions {
  filename?: string;
  contentType?: string;
  metadata?: Record<string, unknown>;
  signal?: AbortSignal;
}

export interface ReplicateGateway {
  createPrediction(params: CreatePredictionParams): Promise<CreatedPrediction>;
  findPredictionByTag(tag: string, since: number | Date, match?: FindMatch): Promise<Prediction | undefined>;
  getPrediction(id: string, opts?: { signal?: AbortSignal; timeoutMs?: number }): Promise<Prediction>;
  cancelPrediction(id: string, opts?: { signal?: AbortSignal }): Promise<Prediction>;
  listPredictions(opts?: ListOptions): Promise<PredictionPage>;
  waitForPrediction(id: string, opts?: WaitOptions): Promise<Prediction>;
  uploadFile(bytes: Uint8Array, opts?: UploadOptions): Promise<ReplicateFile>;
  /** Data URI for tiny images (DATA_URI_MAX_BYTES), else an uploaded file's URL. */
  imageInput(bytes: Uint8Array, mimeType: string, opts?: { signal?: AbortSignal }): Promise<string>;
  getWebhookSecret(opts?: { signal?: AbortSignal }): Promise<string>;
  downloadOutput(url: string, opts?: DownloadOptions): Promise<DownloadedOutput>;
  readonly baseUrl: string;
}

const iso = (t: number | Date | string): string => (typeof t === 'string' ? t : new Date(t).toISOString());
const ms = (t: number | Date): number => (typeof t === 'number' ? t : t.getTime());

function validateWaitSec(n: number | undefined): void {
  if (n === undefined) return;
  if (!Number.isInteger(n) || n < 1 || n > 60) {
    throw new ReplicateError('invalid_input', 'Prefer wait must be a whole number of seconds between 1 and 60.', { retryable: false });
  }
}

/** Maps a terminal, unsuccessful prediction to a typed error; undefined for succeeded/non-terminal. */
export function predictionError(p: Prediction): ReplicateError | undefined {
  const base = { predictionId: p.id };
  switch (p.status) {
    case 'failed':
      return new ReplicateError('failed', `The generation failed on Replicate${p.error ? `: ${String(p.error)}` : '.'}`, { ...base, detail: p.error ?? undefined });
    case 'canceled':
      return new ReplicateError('canceled', 'The generation was canceled on Replicate.', base);
    case 'aborted':
      return new ReplicateError('aborted', 'Replicate aborted the generation before it started (its deadline passed). It can be retried.', base);
    default:
      return undefined;
  }
}

/** True when the prediction has output we can download now (succeeded, or processing with output). */
export function hasUsableOutput(p: Prediction): boolean {
  const present = p.output !== null && p.output !== undefined && !(Array.isArray(p.output) && p.output.length === 0);
  return present && (p.status === 'succeeded' || p.status === 'processing');
}

/** Output URLs of a prediction (string or array of strings; other shapes are ignored). */
export function outputUrls(p: Prediction): string[] {
  const o = p.output;
  if (typeof o === 'string') return [o];
  if (Array.isArray(o)) return o.filter((x): x is string => typeof x === 'string');
  return [];
}

export function createReplicateGateway(opts: GatewayOptions): ReplicateGateway {
  registerSecret(opts.apiToken);
  const http: HttpClient = createHttpClient({
    apiToken: opts.apiToken,
    baseUrl: opts.baseUrl ?? DEFAULT_BASE_URL,
    fetch: opts.fetch,
    clock: opts.clock,
    random: opts.random,
    retry: opts.retry,
    requestTimeoutMs: opts.requestTimeoutMs,
    onEvent: opts.onEvent,
  });
  const clock = http.clock;
  const emit = (e: GatewayEvent) => opts.onEvent?.(e);

  async function getPrediction(id: string, o: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<Prediction> {
    const r = await http.request<Prediction>({ method: 'GET', path: `/predictions/${encodeURIComponent(id)}`, signal: o.signal, timeoutMs: o.timeoutMs });
    return r.data;
  }

  async function cancelPrediction(id: string, o: { signal?: AbortSignal } = {}): Promise<Prediction> {
    // Cancel is idempotent on Replicate, so ambiguous failures may be retried.
    const r = await http.request<Prediction>({ method: 'POST', path: `/predictions/${encodeURIComponent(id)}/cancel`, signal: o.signal });
    return r.data;
  }

  async function listPredictions(o: ListOptions = {}): Promise<PredictionPage> {
    let path = o.cursor;
    if (!path) {
      const q = new URLSearchParams();
      if (o.createdAfter !== undefined) q.set('created_after', iso(o.createdAfter));
      if (o.createdBefore !== undefined) q.set('created_before', iso(o.createdBefore));
      path = `/predictions${q.toString() ? `?${q}` : ''}`;
    }
    const r = await http.request<PredictionPage>({ method: 'GET', path, signal: o.signal });
    return { next: r.data.next ?? null, previous: r.data.previous ?? null, results: Array.isArray(r.data.results) ? r.data.results : [] };
  }

  /**
   * Finds a prediction created for `tag` since `since`, newest first.
   *  1. a prediction whose webhook URL carries `?gen=<tag>` (authoritative);
   *  2. else, when `match` gives model/version and input: a prediction of that model with exactly
   *     that input, not claimed by another tag (webhook `gen` of another generation) and not in
   *     `excludeIds`. Replicate lets us attach nothing else to a prediction (no metadata, and
   *     real models reject unknown inputs), so this is the best fallback when webhooks are off.
   * Pages back with `created_after=since` and also stops at the first result older than `since`
   * in case the filter is ignored. List entries that lack `input` are fetched individually.
   */
  async function findPredictionByTag(tag: string, since: number | Date, match: FindMatch = {}): Promise<Prediction | undefined> {
    const sinceMs = ms(since);
    const exclude = new Set(match.excludeIds ?? []);
    const maxPages = match.maxPages ?? 20;
    let cursor: string | undefined;
    let inputCandidate: Prediction | undefined;
    for (let page = 0; page < maxPages; page++) {
      const p = await listPredictions({ createdAfter: sinceMs, cursor, signal: match.signal });
      let reachedCutoff = false;
      for (const raw of p.results) {
        const created = Date.parse(raw.created_at);
        if (!Number.isNaN(created) && created < sinceMs) {
          reachedCutoff = true;
          continue;
        }
        let pred = raw;
        const webhookTag = tagFromWebhookUrl(typeof pred.webhook === 'string' ? pred.webhook : undefined);
        if (webhookTag === tag) return pred;
        if (webhookTag !== undefined || inputCandidate || exclude.has(pred.id) || !match.input) continue;
        const sameModel = (match.model && pred.model === match.model) || (match.version && (pred.version === match.version || match.version.endsWith(`:${pred.version}`)));
        if (!sameModel) continue;
        if (pred.input === undefined) pred = await getPrediction(pred.id, { signal: match.signal });
        if (tagFromWebhookUrl(typeof pred.webhook === 'string' ? pred.webhook : undefined) === tag) return pred;
        if (inputsEqual(pred.input, match.input)) inputCandidate = pred;
      }
      if (reachedCutoff || !p.next) break;
      cursor = p.next;
    }
    // A webhook-tag match anywhere in the window wins over an input match, hence the full scan.
    return inputCandidate;
  }

  /*
   * Creation dedupe and the crash window.
   * Replicate has no idempotency key. The window in which a duplicate can arise is between the
   * moment the POST reaches Replicate and the moment the dispatcher has durably stored the
   * returned prediction id: a crash, a timeout, a dropped connection or a 5xx in that window
   * leaves a prediction we do not know about. We close it as follows:
   *  - `recordCreation({phase:'intent'})` is awaited before the POST, with the time. A restarted
   *    dispatcher that finds an intent without a prediction id calls createPrediction again with
   *    `recentWindow.since` = intent time minus some clock skew, and we first look the tag up.
   *  - the tag rides in the webhook URL (`?gen=<tag>`) so a listed prediction names its generation;
   *    without a webhook the fallback is model + exact input equality within the window.
   *  - an ambiguous failure of our own POST (network error, timeout, 5xx) is followed by the same
   *    lookup before any retry; a 429 means nothing was created and is retried directly.
   * Residual risk: a prediction created but not yet visible in the list at lookup time (the list is
   * not guaranteed to be immediately consistent) or, in input-match mode, two generations with the
   * exact same input in the window (excludeIds narrows that).
   */
  async function createPrediction(params: CreatePredictionParams): Promise<CreatedPrediction> {
    const { model, version, input, tag } = params;
    if (!tag) throw new ReplicateError('invalid_input', 'A generation tag is required to create a prediction.', { retryable: false });
    if (!!model === !!version) throw new ReplicateError('invalid_input', 'Give exactly one of model or version.', { retryable: false });
    if (model && !MODEL_NAME.test(model)) throw new ReplicateError('invalid_input', `Invalid model name "${model}": ${MODEL_NAME_RULE}.`, { retryable: false });
    if (version && !VERSION_REF.test(version)) {
      throw new ReplicateError('invalid_input', `Invalid model version "${version}": must be a version id, or owner/name:version.`, { retryable: false });
    }
    validateWaitSec(params.preferWaitSec);

    let webhook: string | undefined;
    if (params.webhook) {
      const baseHook = typeof params.webhook === 'string' ? params.webhook : opts.webhookBaseUrl;
      if (!baseHook) throw new ReplicateError('config_invalid', 'A webhook was requested but REPLICATE_WEBHOOK_BASE_URL is not configured.');
      webhook = webhookUrlWithTag(baseHook, tag);
    }
    const hash = inputHash(input);
    const match: FindMatch = { model, version, input, signal: params.signal };

    if (params.recentWindow) {
      const found = await findPredictionByTag(tag, params.recentWindow.since, match);
      if (found) {
        emit({ type: 'create_reused', tag, predictionId: found.id, via: tagFromWebhookUrl(found.webhook as string | undefined) === tag ? 'webhook_tag' : 'model_input' });
        await opts.recordCreation?.({ phase: 'created', tag, model, version, inputHash: hash, webhook, at: clock.now(), predictionId: found.id, reused: true });
        return { prediction: found, reused: true };
      }
    }

    const intentAt = clock.now();
    await opts.recordCreation?.({ phase: 'intent', tag, model, version, inputHash: hash, input, webhook, at: intentAt });

    const body: Record<string, unknown> = { input };
    if (version) body.version = version;
    if (webhook) {
      body.webhook = webhook;
      if (params.webhookEventsFilter) body.webhook_events_filter = params.webhookEventsFilter;
    }
    const headers: Record<string, string> = {};
    if (params.preferWaitSec) headers.Prefer = `wait=${params.preferWaitSec}`;
    if (params.cancelAfter) headers['Cancel-After'] = params.cancelAfter;
    const path = model ? `${modelPath(model)}/predictions` : '/predictions';
    const baseTimeout = opts.requestTimeoutMs ?? 30_000;
    // A held answer may take the wait, then as long as any answer (at most 10 s more).
    const timeoutMs = params.preferWaitSec ? params.preferWaitSec * 1000 + Math.min(baseTimeout, 10_000) : baseTimeout;

    const policy = http.policy;
    const started = clock.now();
    let lastError: ReplicateError | undefined;
    let ambiguous = false;
    for (let n = 0; n < policy.maxAttempts; n++) {
      if (ambiguous) {
        // The previous POST may have created a prediction: look before creating again. A lookup
        // that fails too is no answer: nothing is created, the error goes up (retryable), and the
        // caller's next try looks first (its recentWindow).
        const found = await findPredictionByTag(tag, intentAt - 60_000, match);
        if (found) {
          emit({ type: 'create_reused', tag, predictionId: found.id, via: tagFromWebhookUrl(found.webhook as string | undefined) === tag ? 'webhook_tag' : 'model_input' });
          await opts.recordCreation?.({ phase: 'created', tag, model, version, inputHash: hash, webhook, at: clock.now(), predictionId: found.id, reused: true });
          return { prediction: found, reused: true };
        }
      }
      await opts.beforeCreate?.({ retry: n > 0 });
      params.onSend?.();
      try {
        const r = await http.request<Prediction>({
          method: 'POST',
          path,
          json: body,
          headers,
          signal: params.signal,
          timeoutMs,
          retryAmbiguous: false,
          retry: { maxAttempts: 1 },
        });
        await opts.recordCreation?.({ phase: 'created', tag, model, version, inputHash: hash, webhook, at: clock.now(), predictionId: r.data.id, reused: false });
        return { prediction: r.data, reused: false };
      } catch (e) {
        if (!(e instanceof ReplicateError) || !e.retryable || e.code === 'canceled') throw e;
        lastError = e;
        ambiguous = ambiguous || e.code !== 'rate_limited';
        if (ambiguous) emit({ type: 'create_ambiguous_failure', tag, attempt: n + 1, code: e.code });
      }
      if (n + 1 >= policy.maxAttempts) break;
      const delayMs = retryDelayFor(lastError, n, policy, http.random);
      if (clock.now() - started + delayMs > policy.maxTotalMs) break;
      opts.onEvent?.({ type: 'retry', method: 'POST', path, attempt: n + 1, delayMs, reason: lastError.code });
      try {
        await clock.sleep(delayMs, params.signal);
      } catch (err) {
        throw new ReplicateError('canceled', 'The request to Replicate was canceled.', { retryable: false, cause: err });
      }
    }
    if (ambiguous) {
      const found = await findPredictionByTag(tag, intentAt - 60_000, match);
      if (found) {
        await opts.recordCreation?.({ phase: 'created', tag, model, version, inputHash: hash, webhook, at: clock.now(), predictionId: found.id, reused: true });
        return { prediction: found, reused: true };
      }
    }
    throw lastError ?? new ReplicateError('unavailable', 'Could not create the prediction on Replicate.');
  }

  async function waitForPrediction(id: string, o: WaitOptions = {}): Promise<Prediction> {
    const deadline = o.deadline !== undefined ? ms(o.deadline) : clock.now() + 10 * 60_000;
    const interval = Math.max(10, o.pollIntervalMs ?? opts.pollIntervalMs ?? 1000);
    const cancelOnAbort = o.cancelOnAbort ?? true;
    const cancelOnDeadline = o.cancelOnDeadline ?? true;

    const remoteCancel = async () => {
      try {
        // Not tied to the caller's (aborted) signal; bounded by its own short timeout/attempts.
        await http.request<Prediction>({ method: 'POST', path: `/predictions/${encodeURIComponent(id)}/cancel`, timeoutMs: 10_000, retry: { maxAttempts: 2, maxTotalMs: 5_000 } });
      } catch {
        /* best effort: the dispatcher's deadline also bounds the prediction (Cancel-After) */
      }
    };
    const aborted = async (): Promise<never> => {
      if (cancelOnAbort) await remoteCancel();
      throw new ReplicateError('canceled', 'Waiting for the generation was canceled.', { retryable: false, predictionId: id });
    };
    const timedOut = async (): Promise<never> => {
      if (cancelOnDeadline) await remoteCancel();
      throw new ReplicateError('timeout', 'The generation did not finish in time on Replicate.', { predictionId: id });
    };
    const done = (p: Prediction) => isTerminalStatus(p.status) || (o.returnOnOutput === true && hasUsableOutput(p));

    let last = o.initial;
    if (last) {
      o.onUpdate?.(last);
      if (done(last)) return last;
    }
    let first = !last;
    for (;;) {
      if (o.signal?.aborted) return aborted();
      if (!first) {
        const wait = Math.min(interval, deadline - clock.now());
        if (wait <= 0) return timedOut();
        try {
          await clock.sleep(wait, o.signal);
        } catch {
          return aborted();
        }
      }
      first = false;
      const remaining = deadline - clock.now();
      if (remaining <= 0) return timedOut();
      let p: Prediction;
      try {
        p = await getPrediction(id, { signal: o.signal, timeoutMs: Math.min(opts.requestTimeoutMs ?? 30_000, Math.max(100, remaining)) });
      } catch (e) {
        if (o.signal?.aborted) return aborted();
        if (e instanceof ReplicateError && (e.code === 'timeout' || e.code === 'unavailable' || e.code === 'rate_limited') && clock.now() < deadline) {
          continue; // transient: keep polling until the deadline
        }
        throw e;
      }
      if (!last || p.status !== last.status || p.output !== last.output || p.logs !== last.logs) o.onUpdate?.(p);
      last = p;
      if (done(p)) return p;
    }
  }

  async function uploadFile(bytes: Uint8Array, o: UploadOptions = {}): Promise<ReplicateFile> {
    const form = new FormData();
    const type = o.contentType ?? 'application/octet-stream';
    // Copy into a plain ArrayBuffer-backed view (a Buffer may sit on a shared pool).
    form.append('content', new Blob([new Uint8Array(bytes)], { type }), o.filename ?? 'upload');
    if (o.filename) form.append('filename', o.filename);
    form.append('type', type);
    if (o.metadata) form.append('metadata', JSON.stringify(o.metadata));
    const r = await http.request<ReplicateFile>({ method: 'POST', path: '/files', body: form, signal: o.signal });
    return r.data;
  }

  async function imageInput(bytes: Uint8Array, mimeType: string, o: { signal?: AbortSignal } = {}): Promise<string> {
    if (bytes.byteLength <= DATA_URI_MAX_BYTES) return toDataUri(bytes, mimeType);
    const f = await uploadFile(bytes, { contentType: mimeType, filename: `image.${mimeType.split('/')[1] ?? 'bin'}`, signal: o.signal });
    return f.urls.get;
  }

  async function getWebhookSecret(o: { signal?: AbortSignal } = {}): Promise<string> {
    const r = await http.request<{ key?: string }>({ method: 'GET', path: '/webhooks/default/secret', signal: o.signal });
    if (typeof r.data.key !== 'string' || !r.data.key.startsWith('whsec_')) {
      throw new ReplicateError('unavailable', 'Replicate returned an unexpected webhook secret format.');
    }
    registerSecret(r.data.key);
    return r.data.key;
  }

  function downloadOutput(url: string, o: DownloadOptions = {}): Promise<DownloadedOutput> {
    return guardedDownload(url, {
      allowedHosts: opts.allowedOutputHosts,
      maxBytes: opts.maxOutputBytes,
      timeoutMs: opts.downloadTimeoutMs,
      resolve: opts.resolveHost,
      ...o,
    });
  }

  return {
    createPrediction,
    findPredictionByTag,
    getPrediction,
    cancelPrediction,
    listPredictions,
    waitForPrediction,
    uploadFile,
    imageInput,
    getWebhookSecret,
    downloadOutput,
    baseUrl: http.baseUrl,
  };
}
