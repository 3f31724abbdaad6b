/**
 * A fake Replicate HTTP API on 127.0.0.1 (node:http, random port), faithful to openapi.json
 * (response shapes), with the quirks and faults of the real service on demand.
 * Used by tests/replicate and by the generation benchmark.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { decodeDataUri, generateOutputImage, imageInputOf, type GeneratedImage, removeBackground } from './images';
import { FAKE_MODELS, validateInput, type FakeModel } from './models';
import { DEFAULT_SCENARIO, type Endpoint, type HttpFault, type Scenario } from './scenario';

export type FakeStatus = 'starting' | 'processing' | 'succeeded' | 'failed' | 'canceled' | 'aborted';

export interface FakePrediction {
  id: string;
  model: string;
  version: string;
  input: Record<string, unknown>;
  output: unknown;
  error: string | null;
  status: FakeStatus;
  logs: string;
  created_at: string;
  started_at?: string;
  completed_at?: string;
  data_removed: boolean;
  metrics?: { predict_time?: number; total_time?: number };
  urls: { get: string; cancel: string; stream: string; web: string };
  webhook?: string;
  webhook_events_filter?: string[];
  source: 'api';
}

interface PredictionRecord {
  p: FakePrediction;
  scenario: Scenario;
  timers: NodeJS.Timeout[];
  outputs: Map<string, GeneratedImage>;
  held: Array<{ event: string; body: string }>;
  waiters: Array<() => void>;
  /** With `hold`: ends `processing` as the latency would have. */
  release?: () => void;
}

export interface RequestLogEntry {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  at: number;
}

export interface ResponseLogEntry {
  /** openapi operationId (`predictions.get`, ...) or `delivery` for output files. */
  operation: string;
  method: string;
  path: string;
  status: number;
  contentType: string;
  body: unknown;
}

export interface WebhookDeliveryLog {
  predictionId: string;
  event: string;
  webhookId: string;
  timestamp: number;
  url: string;
  status: number | 'error';
  body: string;
}

export interface FakeReplicateOptions {
  /** Accepted API token (default: a random `r8_...`). */
  token?: string;
  /** Webhook signing secret (default: random `whsec_<base64>`). */
  webhookSecret?: string;
  /** Initial global scenario. */
  scenario?: Partial<Scenario>;
  /** Files API limit (default 100 MB, like Replicate). */
  maxUploadBytes?: number;
  /** Page size of GET /v1/predictions (default 100). */
  pageSize?: number;
  /** Keep request/response logs (default true; a long benchmark may turn them off to save memory). */
  log?: boolean;
}

export interface FakeReplicateState {
  predictions: Map<string, FakePrediction>;
  /** Number of predictions created (accepted creation requests). */
  creations: number;
  /** Output file requests served (any status). */
  deliveries: number;
  files: Map<string, { bytes: Buffer; contentType: string; json: Record<string, unknown> }>;
  requests: RequestLogEntry[];
  responses: ResponseLogEntry[];
  webhookDeliveries: WebhookDeliveryLog[];
}

export interface FakeReplicate {
  /** Base URL including `/v1`. */
  url: string;
  /** Origin (`http://127.0.0.1:<port>`). */
  origin: string;
  port: number;
  /** Host to list in allowedOutputHosts (`127.0.0.1:<port>`). */
  outputHost: string;
  token: string;
  webhookSecret: string;
  state: FakeReplicateState;
  /** Same as state.predictions. */
  predictions: Map<string, FakePrediction>;
  /** Same as state.requests. */
  requests: RequestLogEntry[];
  /** Merge into the global scenario, or the scenario of one model (`owner/name` or version id). */
  setScenario(patch: Partial<Scenario>, model?: string): void;
  /** Back to defaults (global and per model); queued faults dropped. */
  resetScenario(): void;
  /** Queue faults on the global scenario. */
  addFaults(...faults: HttpFault[]): void;
  /** Prediction count created so far. */
  creationCount(): number;
  /** Wait until a prediction is terminal (and its webhooks are sent). */
  settled(id: string, timeoutMs?: number): Promise<FakePrediction>;
  /** Ends a held prediction's run (scenario `hold`) with its scenario's outcome. */
  release(id: string): void;
  close(): Promise<void>;
}

const now = () => new Date().toISOString();
/** What an outage answers, in turn (see Outage). */
const OUTAGE_STATUSES = [503, 500, 502] as const;
/** The edge's page for a 502: HTML, not the API's JSON. */
const EDGE_502 = '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>cloudflare</center>\r\n</body>\r\n</html>\r\n';
const problem = (status: number, title: string, detail: string, extra: Record<string, unknown> = {}) => ({ title, detail, status, ...extra });

const TERMINAL: ReadonlySet<FakeStatus> = new Set(['succeeded', 'failed', 'canceled', 'aborted']);

function newId(): string {
  // Replicate ids look like `gm3qorzdhgbfurvjtvhg6dckhu` (lowercase base32-ish, 26 chars).
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  const b = randomBytes(26);
  let s = '';
  for (let i = 0; i < 26; i++) s += alphabet[b[i]! % 32];
  return s;
}

/** A Cancel-After duration (`30`, `30s`, `5m`, `1h30m45s`) in ms; undefined when malformed. */
function parseDuration(text: string): number | undefined {
  const t = text.trim();
  if (/^\d+$/.test(t)) return Number(t) * 1000;
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(t);
  if (!m || t === '') return undefined;
  return (Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0)) * 1000;
}

function readBody(req: IncomingMessage, limit: number): Promise<{ buf: Buffer; tooLarge: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    let tooLarge = false;
    req.on('data', (c: Buffer) => {
      total += c.length;
      if (total > limit) tooLarge = true;
      else chunks.push(c);
    });
    req.on('end', () => resolve({ buf: Buffer.concat(chunks), tooLarge }));
    req.on('error', reject);
  });
}

export async function startFakeReplicate(options: FakeReplicateOptions = {}): Promise<FakeReplicate> {
  const token = options.token ?? `r8_fake${randomBytes(16).toString('hex')}`;
  const webhookSecret = options.webhookSecret ?? `whsec_${randomBytes(24).toString('base64')}`;
  const maxUploadBytes = options.maxUploadBytes ?? 100 * 1024 * 1024;
  const pageSize = options.pageSize ?? 100;
  const keepLog = options.log ?? true;

  let globalScenario: Scenario = { ...DEFAULT_SCENARIO, webhook: {}, faults: [], ...options.scenario };
  const modelScenarios = new Map<string, Partial<Scenario>>();
  const records = new Map<string, PredictionRecord>();
  const creationTimes: number[] = [];
  const sockets = new Set<Socket>();
  const pendingTimers = new Set<NodeJS.Timeout>();
  let closing = false;
  let outageRequests = 0;
  let outageCreations = 0;

  const state: FakeReplicateState = {
    predictions: new Map(),
    creations: 0,
    deliveries: 0,
    files: new Map(),
    requests: [],
    responses: [],
    webhookDeliveries: [],
  };

  let origin = '';
  let base = '';

  const later = (ms: number, fn: () => void): NodeJS.Timeout => {
    const t = setTimeout(() => {
      pendingTimers.delete(t);
      if (!closing) fn();
    }, ms);
    pendingTimers.add(t);
    return t;
  };
  const sleep = (ms: number) => new Promise<void>((r) => later(ms, r));

  function scenarioFor(model: string | undefined, version: string | undefined): Scenario {
    const s: Scenario = { ...globalScenario };
    for (const key of [model, version]) {
      const m = key ? modelScenarios.get(key) : undefined;
      if (m) Object.assign(s, m, { webhook: { ...s.webhook, ...m.webhook } });
    }
    return s;
  }

  /** Pops the first queued fault for this endpoint (model-specific queue first). */
  function takeFault(endpoint: Endpoint, model?: string): HttpFault | undefined {
    const queues: HttpFault[][] = [];
    if (model && modelScenarios.get(model)?.faults) queues.push(modelScenarios.get(model)!.faults!);
    queues.push(globalScenario.faults);
    for (const q of queues) {
      const i = q.findIndex((f) => (f.endpoint ?? 'create') === endpoint || f.endpoint === 'any');
      if (i >= 0) return q.splice(i, 1)[0];
    }
    return undefined;
  }

  function send(res: ServerResponse, operation: string, req: IncomingMessage, status: number, body: unknown, headers: Record<string, string> = {}): void {
    if (res.headersSent || res.destroyed) return;
    const isProblem = status >= 400;
    const contentType = isProblem ? 'application/problem+json' : 'application/json';
    const text = JSON.stringify(body);
    if (keepLog) state.responses.push({ operation, method: req.method ?? '', path: req.url ?? '', status, contentType, body: JSON.parse(text) });
    res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text), ...headers });
    res.end(text);
  }

  async function applyFault(fault: HttpFault | undefined, res: ServerResponse, req: IncomingMessage, operation: string): Promise<'handled' | 'continue' | 'after'> {
    if (!fault || fault.pass) return 'continue';
    if (fault.hang) return 'handled'; // never answer
    if (fault.delayMs) await sleep(fault.delayMs);
    if (fault.status === undefined) return 'continue';
    if (fault.afterEffect) return 'after';
    sendFault(fault, res, req, operation);
    return 'handled';
  }

  function sendFault(fault: HttpFault, res: ServerResponse, req: IncomingMessage, operation: string): void {
    const status = fault.status!;
    const headers: Record<string, string> = {};
    if (fault.retryAfter !== undefined) headers['Retry-After'] = String(fault.retryAfter);
    send(res, operation, req, status, fault.body ?? defaultProblem(status), headers);
  }

  function defaultProblem(status: number): unknown {
    switch (status) {
      case 401:
        return problem(401, 'Unauthenticated', 'You did not pass a valid authentication token');
      case 402:
        return problem(402, 'Insufficient credit', 'You have insufficient credit to run this model. Go to https://replicate.com/account/billing#billing to purchase credit. Once you purchase credit, please wait a few minutes before trying again.');
      case 422:
        return problem(422, 'Input validation failed', 'The input is invalid.', { invalid_fields: [{ type: 'required', field: 'input.prompt', description: 'prompt is required' }] });
      case 429:
        return { detail: 'Request was throttled. Your rate limit resets in ~30s.', status: 429 };
      case 500:
        return problem(500, 'Internal Server Error', 'An unexpected error occurred.');
      case 503:
        return problem(503, 'Service Unavailable', 'Replicate is temporarily unavailable.');
      default:
        return problem(status, `HTTP ${status}`, `HTTP ${status}`);
    }
  }

  function publicPrediction(p: FakePrediction): FakePrediction {
    return JSON.parse(JSON.stringify(p)) as FakePrediction;
  }

  // ---- webhooks -------------------------------------------------------------------------------
  function signFor(secret: string, id: string, ts: number, body: string): string {
    const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
    return `v1,${createHmac('sha256', key).update(`${id}.${ts}.${body}`).digest('base64')}`;
  }

  async function deliver(rec: PredictionRecord, event: string, body: string, webhookId: string): Promise<void> {
    const url = rec.p.webhook!;
    const faults = rec.scenario.webhook;
    const copies = 1 + (faults.duplicates ?? 0);
    for (let c = 0; c < copies; c++) {
      const terminal = event === 'completed';
      // Only the terminal delivery is retried on failure (like Replicate).
      for (let attempt = 0; attempt < (terminal ? 3 : 1); attempt++) {
        if (closing) return;
        const ts = Math.floor(Date.now() / 1000);
        const sig = signFor(faults.signWithSecret ?? webhookSecret, webhookId, ts, body);
        let status: number | 'error' = 'error';
        try {
          const r = await fetch(url, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json', 'webhook-id': webhookId, 'webhook-timestamp': String(ts), 'webhook-signature': sig, 'User-Agent': 'Replicate-Webhooks/fake' },
            body,
            redirect: 'manual',
            signal: AbortSignal.timeout(5000),
          });
          status = r.status;
          await r.arrayBuffer().catch(() => undefined);
        } catch {
          status = 'error';
        }
        state.webhookDeliveries.push({ predictionId: rec.p.id, event, webhookId, timestamp: ts, url, status, body });
        if (status !== 'error' && status >= 200 && status < 300) break;
        await sleep(50 * (attempt + 1));
      }
    }
  }

  const deliveryChains = new Map<string, Promise<void>>();
  function emitWebhook(rec: PredictionRecord, event: string): void {
    const p = rec.p;
    if (!p.webhook || rec.scenario.webhook.drop) return;
    const filter = p.webhook_events_filter ?? ['output', 'completed'];
    if (!filter.includes(event)) return;
    const body = JSON.stringify(publicPrediction(p));
    const faults = rec.scenario.webhook;
    if (faults.outOfOrder && event !== 'completed') {
      rec.held.push({ event, body });
      return;
    }
    const sendAll: Array<{ event: string; body: string }> = faults.outOfOrder ? [{ event, body }, ...rec.held.reverse()] : [{ event, body }];
    rec.held = [];
    const prev = deliveryChains.get(p.id) ?? Promise.resolve();
    const next = prev.then(async () => {
      for (const d of sendAll) {
        if (faults.delayMs) await sleep(faults.delayMs);
        await deliver(rec, d.event, d.body, `msg_${newId()}`);
      }
    });
    deliveryChains.set(p.id, next);
  }

  // ---- lifecycle ------------------------------------------------------------------------------
  function notify(rec: PredictionRecord): void {
    const ws = rec.waiters.splice(0);
    for (const w of ws) w();
  }

  async function makeOutputs(rec: PredictionRecord): Promise<unknown> {
    const p = rec.p;
    const s = rec.scenario;
    const known: FakeModel | undefined = FAKE_MODELS[p.model];
    const shape = s.outputShape ?? known?.output ?? 'string';
    const count = shape === 'array' && !known ? 2 : 1;
    const src = imageInputOf(p.input, known?.photoField);
    let srcBytes: Buffer | undefined;
    if (src) {
      const d = decodeDataUri(src);
      if (d) srcBytes = d.bytes;
      else {
        const fileMatch = /\/files\/([a-z0-9]+)/.exec(src);
        if (fileMatch && state.files.has(fileMatch[1]!)) srcBytes = state.files.get(fileMatch[1]!)!.bytes;
      }
    }
    const urls: string[] = [];
    for (let i = 0; i < count; i++) {
      const seed = i * 37 + p.id.charCodeAt(0);
      const img = known?.cutout ? await removeBackground(srcBytes) : await generateOutputImage(srcBytes, p.input.output_format, seed, known ? (source) => known.size(p.input, source) : undefined);
      const ext = img.contentType.split('/')[1] === 'jpeg' ? 'jpg' : img.contentType.split('/')[1];
      const name = `out-${i}.${ext}`;
      rec.outputs.set(name, img);
      const path = `/delivery/${s.output}/${p.id}/${name}`;
      urls.push(s.output === 'disallowed-host' ? `http://localhost:${port}${path}` : `${origin}${path}`);
    }
    return shape === 'array' ? urls : urls[0];
  }

  function finish(rec: PredictionRecord, status: FakeStatus, output?: unknown): void {
    const p = rec.p;
    if (TERMINAL.has(p.status)) return;
    p.status = status;
    p.completed_at = now();
    if (status === 'succeeded' && output !== undefined) p.output = output;
    if (status === 'failed') p.error = rec.scenario.errorMessage;
    if (p.started_at) {
      const predict = (Date.parse(p.completed_at) - Date.parse(p.started_at)) / 1000;
      p.metrics = { predict_time: predict, total_time: (Date.parse(p.completed_at) - Date.parse(p.created_at)) / 1000 };
    }
    p.logs += status === 'succeeded' ? 'done\n' : `${status}\n`;
    notify(rec);
    emitWebhook(rec, 'completed');
  }

  function startLifecycle(rec: PredictionRecord): void {
    const s = rec.scenario;
    const p = rec.p;
    if (s.outcome === 'aborted') {
      rec.timers.push(later(s.startDelayMs + s.latencyMs, () => finish(rec, 'aborted')));
      return;
    }
    rec.timers.push(
      later(s.startDelayMs, () => {
        if (TERMINAL.has(p.status)) return;
        p.status = 'processing';
        p.started_at = now();
        p.logs += 'Using seed: 42\n';
        notify(rec);
        emitWebhook(rec, 'start');
        emitWebhook(rec, 'logs');
        const outputsP = s.outcome === 'succeeded' ? makeOutputs(rec) : Promise.resolve(undefined);
        outputsP.catch(() => undefined);
        if (s.outputWhileProcessing && s.outcome === 'succeeded') {
          rec.timers.push(
            later(Math.floor(s.latencyMs / 2), () => {
              void outputsP.then((out) => {
                if (TERMINAL.has(p.status)) return;
                p.output = out;
                notify(rec);
                emitWebhook(rec, 'output');
              });
            }),
          );
        }
        const complete = () => {
            void outputsP.then(
              (out) => {
                if (s.outcome === 'succeeded' && !TERMINAL.has(p.status)) {
                  if (!s.outputWhileProcessing) {
                    p.output = out;
                    emitWebhook(rec, 'output');
                  }
                }
                finish(rec, s.outcome, out);
              },
              () => finish(rec, 'failed'),
            );
        };
        if (s.hold) rec.release = complete;
        else rec.timers.push(later(s.latencyMs, complete));
      }),
    );
  }

  function waitFor(rec: PredictionRecord, cond: () => boolean, ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (cond()) return resolve();
      const t = later(ms, () => resolve());
      const check = () => {
        if (cond() || closing) {
          clearTimeout(t);
          pendingTimers.delete(t);
          resolve();
        } else rec.waiters.push(check);
      };
      rec.waiters.push(check);
    });
  }

  // ---- handlers -------------------------------------------------------------------------------
  async function handleCreate(req: IncomingMessage, res: ServerResponse, bodyText: string, modelPath: string | undefined, operation: string): Promise<void> {
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(bodyText) as Record<string, unknown>;
    } catch {
      return send(res, operation, req, 400, problem(400, 'Bad Request', 'Request body is not valid JSON'));
    }
    const invalid: Array<Record<string, unknown>> = [];
    let model: string;
    let version: string;
    if (modelPath) {
      model = modelPath;
      version = 'hidden';
      // Community models run only by version: the models endpoint does not know them.
      if (FAKE_MODELS[model] && !FAKE_MODELS[model]!.official) return send(res, operation, req, 404, problem(404, 'Not found', 'The requested resource could not be found.'));
      for (const k of Object.keys(body)) {
        if (!['input', 'webhook', 'webhook_events_filter', 'stream'].includes(k)) invalid.push({ type: 'additional_property_not_allowed', field: k, description: `Additional property ${k} is not allowed` });
      }
    } else {
      const v = body.version;
      if (typeof v !== 'string' || !v) {
        invalid.push({ type: 'required', field: 'version', description: 'version is required' });
        model = 'unknown/unknown';
        version = '';
      } else if (v.includes(':')) {
        [model, version] = v.split(':') as [string, string];
      } else if (/^[\w.-]+\/[\w.-]+$/.test(v)) {
        model = v;
        version = 'hidden';
      } else {
        model = Object.entries(FAKE_MODELS).find(([, m]) => m.version === v)?.[0] ?? 'fake/version-model';
        version = v;
      }
      const known = FAKE_MODELS[model];
      if (known && !known.official && version !== known.version) {
        return send(res, operation, req, 422, problem(422, 'Invalid version or not permitted', 'The specified version does not exist (or perhaps you don\'t have permission to use it?)'));
      }
      if (known && known.official && version !== 'hidden') {
        return send(res, operation, req, 422, problem(422, 'Invalid version or not permitted', 'The specified version does not exist (or perhaps you don\'t have permission to use it?)'));
      }
    }
    const fault = takeFault('create', model) ?? (version ? takeFault('create', version) : undefined);
    const f = await applyFault(fault, res, req, operation);
    if (f === 'handled') return;

    const s = scenarioFor(model, version);
    // creation rate limit
    if (s.creationRateLimit > 0) {
      const t = Date.now();
      while (creationTimes.length && creationTimes[0]! <= t - 1000) creationTimes.shift();
      if (creationTimes.length >= s.creationRateLimit) {
        const headers: Record<string, string> = {};
        if (s.creationRateLimitRetryAfter !== undefined) headers['Retry-After'] = String(s.creationRateLimitRetryAfter);
        return send(res, operation, req, 429, defaultProblem(429), headers);
      }
    }

    const input = body.input;
    if (!input || typeof input !== 'object' || Array.isArray(input)) invalid.push({ type: 'required', field: 'input', description: 'input is required' });
    const inputObj = (input && typeof input === 'object' ? input : {}) as Record<string, unknown>;
    if (FAKE_MODELS[model] && input && typeof input === 'object' && !Array.isArray(input)) invalid.push(...validateInput(FAKE_MODELS[model]!, inputObj).map((f) => ({ ...f })));
    if (body.webhook !== undefined && typeof body.webhook !== 'string') invalid.push({ type: 'invalid_type', field: 'webhook', description: 'webhook must be a string' });
    const filter = body.webhook_events_filter;
    if (filter !== undefined && (!Array.isArray(filter) || filter.some((e) => !['start', 'output', 'logs', 'completed'].includes(e as string)))) {
      invalid.push({ type: 'enum', field: 'webhook_events_filter', description: 'webhook_events_filter must be a list of start, output, logs, completed' });
    }
    const prefer = req.headers.prefer;
    let waitSec = 0;
    if (prefer !== undefined) {
      const m = /^wait(?:=(\d+))?$/.exec(String(prefer).trim());
      const n = m ? (m[1] === undefined ? 60 : Number(m[1])) : NaN;
      if (!m || !(n >= 1 && n <= 60)) invalid.push({ type: 'invalid', field: 'Prefer', description: 'Prefer header must be "wait" or "wait=n" with n between 1 and 60' });
      else waitSec = n;
    }
    let cancelAfterMs: number | undefined;
    const cancelAfter = req.headers['cancel-after'];
    if (cancelAfter !== undefined) {
      cancelAfterMs = parseDuration(String(cancelAfter));
      if (cancelAfterMs === undefined || cancelAfterMs < 5000) invalid.push({ type: 'invalid', field: 'Cancel-After', description: 'Cancel-After must be a duration of at least 5s, such as 30s, 5m or 1h30m' });
    }
    if (invalid.length) return send(res, operation, req, 422, problem(422, 'Input validation failed', invalid.map((i) => `- ${i.field}: ${i.description}`).join('\n'), { invalid_fields: invalid }));

    creationTimes.push(Date.now());
    state.creations++;
    const id = newId();
    const p: FakePrediction = {
      id,
      model,
      version,
      input: inputObj,
      output: null,
      error: null,
      status: 'starting',
      logs: '',
      created_at: now(),
      data_removed: false,
      urls: { get: `${base}/predictions/${id}`, cancel: `${base}/predictions/${id}/cancel`, stream: `${origin}/stream/${id}`, web: `https://replicate.com/p/${id}` },
      source: 'api',
    };
    if (typeof body.webhook === 'string') {
      p.webhook = body.webhook;
      if (Array.isArray(filter)) p.webhook_events_filter = filter as string[];
    }
    const rec: PredictionRecord = { p, scenario: s, timers: [], outputs: new Map(), held: [], waiters: [] };
    records.set(id, rec);
    state.predictions.set(id, p);
    startLifecycle(rec);
    if (cancelAfterMs !== undefined) {
      // The lifetime counts from creation; what is not done by then is canceled like a user cancel.
      rec.timers.push(
        later(cancelAfterMs, () => {
          if (TERMINAL.has(p.status)) return;
          for (const t of rec.timers) clearTimeout(t);
          finish(rec, 'canceled');
        })
      );
    }

    if (f === 'after') return sendFault(fault!, res, req, operation);
    if (waitSec > 0) {
      // Sync mode: hold until terminal or output present (file outputs appear while processing).
      await waitFor(rec, () => TERMINAL.has(p.status) || (p.output !== null && p.output !== undefined), waitSec * 1000);
    }
    send(res, operation, req, 201, publicPrediction(p));
  }

  async function handleFiles(req: IncomingMessage, res: ServerResponse, raw: Buffer, tooLarge: boolean): Promise<void> {
    const operation = 'files.create';
    if (tooLarge) return send(res, operation, req, 413, { detail: 'Files must be less than 100MB in size' });
    const ct = String(req.headers['content-type'] ?? '');
    if (!ct.startsWith('multipart/form-data')) return send(res, operation, req, 422, problem(422, 'Input validation failed', 'multipart/form-data required', { invalid_fields: [{ field: 'content', description: 'content is required' }] }));
    let form: FormData;
    try {
      form = await new Request('http://x/', { method: 'POST', headers: { 'content-type': ct }, body: new Uint8Array(raw) }).formData();
    } catch {
      return send(res, operation, req, 400, problem(400, 'Bad Request', 'Malformed multipart body'));
    }
    const content = form.get('content');
    if (!content || typeof content === 'string') return send(res, operation, req, 422, problem(422, 'Input validation failed', 'content is required', { invalid_fields: [{ field: 'content', description: 'content is required' }] }));
    const bytes = Buffer.from(await (content as Blob).arrayBuffer());
    if (bytes.length > maxUploadBytes) return send(res, operation, req, 413, { detail: 'Files must be less than 100MB in size' });
    const type = (form.get('type') as string | null) ?? ((content as Blob).type || 'application/octet-stream');
    let metadata: Record<string, unknown> = {};
    try {
      const m = form.get('metadata');
      if (typeof m === 'string') metadata = JSON.parse(m) as Record<string, unknown>;
    } catch {
      /* ignore */
    }
    const id = newId();
    const created = new Date();
    const json = {
      id,
      urls: { get: `${base}/files/${id}` },
      content_type: type,
      size: bytes.length,
      checksums: { sha256: createHash('sha256').update(bytes).digest('hex') },
      metadata,
      created_at: created.toISOString(),
      expires_at: new Date(created.getTime() + 24 * 3600_000).toISOString(),
    };
    state.files.set(id, { bytes, contentType: type, json });
    send(res, operation, req, 201, json);
  }

  function handleList(req: IncomingMessage, res: ServerResponse, url: URL): void {
    const operation = 'predictions.list';
    const after = url.searchParams.get('created_after');
    const before = url.searchParams.get('created_before');
    const cursor = Number(url.searchParams.get('cursor') ?? '0') || 0;
    let all = [...state.predictions.values()].sort((a, b) => (a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : 0));
    if (after) all = all.filter((p) => Date.parse(p.created_at) >= Date.parse(after));
    if (before) all = all.filter((p) => Date.parse(p.created_at) < Date.parse(before));
    const page = all.slice(cursor, cursor + pageSize).map(publicPrediction);
    const link = (c: number) => {
      const u = new URL(`${base}/predictions`);
      if (after) u.searchParams.set('created_after', after);
      if (before) u.searchParams.set('created_before', before);
      u.searchParams.set('cursor', String(c));
      return u.toString();
    };
    send(res, operation, req, 200, {
      next: cursor + pageSize < all.length ? link(cursor + pageSize) : null,
      previous: cursor > 0 ? link(Math.max(0, cursor - pageSize)) : null,
      results: page,
    });
  }

  async function handleDelivery(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    // /delivery/<mode>/<id>/<name>
    const parts = url.pathname.split('/').filter(Boolean);
    const [, mode, id, name] = parts;
    state.deliveries++;
    const rec = id ? records.get(id) : undefined;
    const img = rec && name ? rec.outputs.get(name) : undefined;
    const log = (status: number, contentType: string) => keepLog && state.responses.push({ operation: 'delivery', method: req.method ?? '', path: url.pathname, status, contentType, body: null });
    if (!rec || !img) {
      log(404, 'text/plain');
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      return void res.end('not found');
    }
    const hops = Number(url.searchParams.get('hop') ?? '0');
    switch (mode) {
      case 'redirect-disallowed':
        log(302, '');
        res.writeHead(302, { Location: `http://localhost:${port}/delivery/normal/${id}/${name}` });
        return void res.end();
      case 'redirect-allowed':
        if (hops === 0) {
          log(302, '');
          res.writeHead(302, { Location: `/delivery/normal/${id}/${name}` });
          return void res.end();
        }
        break;
      case 'redirect-to':
        log(302, '');
        res.writeHead(302, { Location: rec.scenario.redirectLocation ?? `/delivery/normal/${id}/${name}` });
        return void res.end();
      case 'redirect-loop':
        log(302, '');
        res.writeHead(302, { Location: `/delivery/redirect-loop/${id}/${name}?hop=${hops + 1}` });
        return void res.end();
      case 'truncated': {
        log(200, img.contentType);
        res.writeHead(200, { 'Content-Type': img.contentType, 'Content-Length': img.bytes.length });
        res.write(img.bytes.subarray(0, Math.floor(img.bytes.length / 2)));
        setTimeout(() => res.socket?.destroy(), 20);
        return;
      }
      case 'html': {
        const html = '<!doctype html><html><body><h1>Error</h1></body></html>';
        log(200, 'text/html');
        res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': Buffer.byteLength(html) });
        return void res.end(html);
      }
      case 'oversized':
      case 'oversized-chunked': {
        const size = rec.scenario.oversizedBytes;
        const headers: Record<string, string | number> = { 'Content-Type': 'image/png' };
        if (mode === 'oversized') headers['Content-Length'] = size;
        log(200, 'image/png');
        res.writeHead(200, headers);
        let sent = 0;
        const chunk = Buffer.alloc(64 * 1024, 7);
        const pump = () => {
          while (sent < size) {
            const n = Math.min(chunk.length, size - sent);
            sent += n;
            if (!res.write(chunk.subarray(0, n))) return void res.once('drain', pump);
          }
          res.end();
        };
        res.on('error', () => undefined);
        pump();
        return;
      }
      case 'corrupt': {
        const bytes = Buffer.concat([img.bytes.subarray(0, 64), randomBytes(512)]);
        log(200, 'image/png');
        res.writeHead(200, { 'Content-Type': 'image/png', 'Content-Length': bytes.length });
        return void res.end(bytes);
      }
      case 'hang':
        log(200, img.contentType);
        res.writeHead(200, { 'Content-Type': img.contentType, 'Content-Length': img.bytes.length });
        res.write(img.bytes.subarray(0, 16));
        return; // never finishes
      default:
        break;
    }
    log(200, img.contentType);
    res.writeHead(200, { 'Content-Type': img.contentType, 'Content-Length': img.bytes.length, 'Cache-Control': 'public, max-age=3600' });
    res.end(img.bytes);
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', origin);
    const method = req.method ?? 'GET';
    const isUpload = method === 'POST' && url.pathname === '/v1/files';
    const { buf, tooLarge } = await readBody(req, isUpload ? maxUploadBytes + 1024 * 1024 : 20 * 1024 * 1024);
    if (keepLog) state.requests.push({ method, path: url.pathname + url.search, headers: { ...req.headers }, body: buf.toString('latin1'), at: Date.now() });

    if (url.pathname.startsWith('/delivery/')) return handleDelivery(req, res, url);
    if (!url.pathname.startsWith('/v1/')) {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      return void res.end('not found');
    }
    const path = url.pathname.slice(3);

    let operation = 'unknown';
    let endpoint: Endpoint = 'any';
    let m: RegExpExecArray | null;
    let modelPath: string | undefined;
    let predId: string | undefined;
    if (method === 'POST' && (m = /^\/models\/([^/]+)\/([^/]+)\/predictions$/.exec(path))) {
      operation = 'models.predictions.create';
      endpoint = 'create';
      modelPath = `${decodeURIComponent(m[1]!)}/${decodeURIComponent(m[2]!)}`;
    } else if (method === 'POST' && path === '/predictions') {
      operation = 'predictions.create';
      endpoint = 'create';
    } else if (method === 'GET' && path === '/predictions') {
      operation = 'predictions.list';
      endpoint = 'list';
    } else if (method === 'GET' && (m = /^\/predictions\/([^/]+)$/.exec(path))) {
      operation = 'predictions.get';
      endpoint = 'get';
      predId = m[1];
    } else if (method === 'POST' && (m = /^\/predictions\/([^/]+)\/cancel$/.exec(path))) {
      operation = 'predictions.cancel';
      endpoint = 'cancel';
      predId = m[1];
    } else if (method === 'POST' && path === '/files') {
      operation = 'files.create';
      endpoint = 'files';
    } else if (method === 'GET' && (m = /^\/files\/([^/]+)$/.exec(path))) {
      operation = 'files.get';
      endpoint = 'files';
    } else if (method === 'GET' && path === '/webhooks/default/secret') {
      operation = 'webhooks.default.secret.get';
      endpoint = 'secret';
    }

    const outage = globalScenario.outage;
    if (outage && Date.now() < outage.until) {
      outageRequests++;
      const status = OUTAGE_STATUSES[outageRequests % OUTAGE_STATUSES.length]!;
      if (status === 502) {
        if (keepLog) state.responses.push({ operation, method, path: url.pathname, status, contentType: 'text/html', body: null });
        res.writeHead(502, { 'Content-Type': 'text/html', 'Content-Length': Buffer.byteLength(EDGE_502) });
        return void res.end(EDGE_502);
      }
      if (endpoint === 'create' && outage.processedEvery && ++outageCreations % outage.processedEvery === 0) {
        // Carried out, then answered with the 5xx: the caller cannot know the prediction exists.
        globalScenario.faults.unshift({ endpoint: 'create', status, afterEffect: true });
      } else {
        return send(res, operation, req, status, defaultProblem(status));
      }
    }

    // Auth first (Replicate answers 401 before anything else).
    const auth = String(req.headers.authorization ?? '');
    const given = /^(Bearer|Token)\s+(.+)$/i.exec(auth)?.[2];
    if (given !== token) return send(res, operation, req, 401, problem(401, 'Unauthenticated', 'You did not pass a valid authentication token'));

    let staleGet = false;
    if (endpoint !== 'create') {
      const fault = takeFault(endpoint);
      staleGet = Boolean(fault?.staleUntilDelivered);
      const f = await applyFault(fault, res, req, operation);
      if (f === 'handled') return;
      if (f === 'after') return sendFault(fault!, res, req, operation);
    }

    switch (operation) {
      case 'models.predictions.create':
      case 'predictions.create':
        return handleCreate(req, res, buf.toString('utf8'), modelPath, operation);
      case 'predictions.list':
        return handleList(req, res, url);
      case 'predictions.get': {
        const p = state.predictions.get(predId!);
        if (!p) return send(res, operation, req, 404, problem(404, 'Not found', 'The requested resource could not be found.'));
        const answer = publicPrediction(p);
        if (staleGet) {
          const rec = records.get(p.id)!;
          await waitFor(rec, () => TERMINAL.has(p.status), 3600_000);
          await (deliveryChains.get(p.id) ?? Promise.resolve());
        }
        return send(res, operation, req, 200, answer);
      }
      case 'predictions.cancel': {
        const rec = records.get(predId!);
        if (!rec) return send(res, operation, req, 404, problem(404, 'Not found', 'The requested resource could not be found.'));
        if (!TERMINAL.has(rec.p.status)) {
          for (const t of rec.timers) clearTimeout(t);
          finish(rec, 'canceled');
        }
        return send(res, operation, req, 200, publicPrediction(rec.p));
      }
      case 'files.create':
        return handleFiles(req, res, buf, tooLarge);
      case 'files.get': {
        const id = /^\/files\/([^/]+)$/.exec(path)![1]!;
        const f = state.files.get(id);
        if (!f) return send(res, operation, req, 404, problem(404, 'Not found', 'The requested resource could not be found.'));
        return send(res, operation, req, 200, f.json);
      }
      case 'webhooks.default.secret.get':
        return send(res, operation, req, 200, { key: webhookSecret });
      default:
        return send(res, operation, req, 404, problem(404, 'Not found', 'The requested resource could not be found.'));
    }
  }

  const server = http.createServer((req, res) => {
    route(req, res).catch((e) => {
      if (!res.headersSent) {
        res.writeHead(500, { 'Content-Type': 'application/problem+json' });
        res.end(JSON.stringify(problem(500, 'Internal Server Error', String((e as Error)?.message ?? e))));
      }
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  // Like Replicate's edge: connections stay open between requests. (A short server keep-alive made
  // undici close every connection after one request, so each poll paid a new TCP connection.)
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  origin = `http://127.0.0.1:${port}`;
  base = `${origin}/v1`;

  return {
    url: base,
    origin,
    port,
    outputHost: `127.0.0.1:${port}`,
    token,
    webhookSecret,
    state,
    predictions: state.predictions,
    requests: state.requests,
    setScenario(patch, model) {
      if (model) {
        const prev = modelScenarios.get(model) ?? {};
        modelScenarios.set(model, { ...prev, ...patch, webhook: { ...prev.webhook, ...patch.webhook }, faults: [...(prev.faults ?? []), ...(patch.faults ?? [])] });
      } else {
        globalScenario = { ...globalScenario, ...patch, webhook: { ...globalScenario.webhook, ...patch.webhook }, faults: [...globalScenario.faults, ...(patch.faults ?? [])] };
      }
    },
    resetScenario() {
      globalScenario = { ...DEFAULT_SCENARIO, webhook: {}, faults: [] };
      modelScenarios.clear();
    },
    addFaults(...faults) {
      globalScenario.faults.push(...faults);
    },
    creationCount: () => state.creations,
    release(id) {
      const rec = records.get(id);
      if (!rec?.release) throw new Error(`prediction ${id} is not held`);
      const release = rec.release;
      rec.release = undefined;
      release();
    },
    async settled(id, timeoutMs = 10_000) {
      const rec = records.get(id);
      if (!rec) throw new Error(`unknown prediction ${id}`);
      await waitFor(rec, () => TERMINAL.has(rec.p.status), timeoutMs);
      await (deliveryChains.get(id) ?? Promise.resolve());
      return publicPrediction(rec.p);
    },
    async close() {
      closing = true;
      for (const t of pendingTimers) clearTimeout(t);
      pendingTimers.clear();
      for (const rec of records.values()) rec.waiters.splice(0).forEach((w) => w());
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
    },
  };
}
