/**
 * Shapes of the Replicate HTTP API we rely on (see openapi.json `schemas_prediction_response`).
 * Only the fields we read are typed strictly; everything else is kept as `unknown`.
 */

export type PredictionStatus = 'starting' | 'processing' | 'succeeded' | 'failed' | 'canceled' | 'aborted';

export type WebhookEventType = 'start' | 'output' | 'logs' | 'completed';

export interface PredictionUrls {
  get: string;
  cancel: string;
  web?: string;
  stream?: string;
}

export interface Prediction {
  id: string;
  model: string;
  version: string;
  input: Record<string, unknown>;
  output: unknown;
  error: string | null;
  status: PredictionStatus;
  logs?: string;
  metrics?: { predict_time?: number; total_time?: number; [k: string]: unknown };
  created_at: string;
  started_at?: string | null;
  completed_at?: string | null;
  urls: PredictionUrls;
  data_removed: boolean;
  webhook?: string | null;
  webhook_events_filter?: WebhookEventType[];
  deadline?: string;
  source?: 'web' | 'api';
  [k: string]: unknown;
}

export interface PredictionPage {
  next: string | null;
  previous: string | null;
  results: Prediction[];
}

export interface ReplicateFile {
  id: string;
  urls: { get: string };
  content_type: string;
  size: number;
  checksums: { sha256?: string };
  metadata: Record<string, unknown>;
  created_at: string;
  expires_at: string;
}

/** `owner/name` (official model endpoint) or a version id (`POST /v1/predictions`). */
export type ModelRef = { model: string; version?: undefined } | { version: string; model?: undefined };

/** Minimal `fetch` signature we depend on (global fetch in Node 20). */
export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/** Injectable time source so tests can measure backoff without wall time. */
export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}
