import { z } from 'zod';
import { ReplicateError, registerSecret, scrubSecrets } from './errors';

export const DEFAULT_BASE_URL = 'https://api.replicate.com/v1';
export const DEFAULT_ALLOWED_OUTPUT_HOSTS: readonly string[] = ['replicate.delivery', '*.replicate.delivery'];

export interface ReplicateConfig {
  apiToken: string | undefined;
  baseUrl: string;
  allowedOutputHosts: string[];
  webhookBaseUrl: string | undefined;
  webhookSecret: string | undefined;
  /** Per-HTTP-request timeout for API calls. */
  requestTimeoutMs: number;
  /** Overall deadline for one prediction (creation to terminal state). */
  predictionTimeoutMs: number;
  /** Timeout of one output download. */
  downloadTimeoutMs: number;
  /** Size limit of one output download. */
  maxOutputBytes: number;
  /** Seconds for `Prefer: wait=N` on creation (0 = async creation). */
  preferWaitSec: number;
  pollIntervalMs: number;
  maxAttempts: number;
}

const intFrom = (def: number, min: number, max: number) =>
  z
    .union([z.string(), z.number()])
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return def;
      const n = typeof v === 'number' ? v : Number(v.trim());
      if (!Number.isInteger(n) || n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `must be an integer between ${min} and ${max}` });
        return z.NEVER;
      }
      return n;
    });

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const httpUrl = (label: string) =>
  z.string().refine(
    (v) => {
      try {
        const u = new URL(v);
        return u.protocol === 'https:' || u.protocol === 'http:';
      } catch {
        return false;
      }
    },
    { message: `${label} must be an http(s) URL` },
  );

const envSchema = z.object({
  REPLICATE_API_TOKEN: optionalString,
  REPLICATE_BASE_URL: optionalString.pipe(httpUrl('REPLICATE_BASE_URL').optional()),
  REPLICATE_ALLOWED_OUTPUT_HOSTS: optionalString,
  REPLICATE_WEBHOOK_BASE_URL: optionalString.pipe(httpUrl('REPLICATE_WEBHOOK_BASE_URL').optional()),
  REPLICATE_WEBHOOK_SECRET: optionalString.pipe(
    z
      .string()
      .regex(/^whsec_[A-Za-z0-9+/]+={0,2}$/, { message: 'REPLICATE_WEBHOOK_SECRET must look like whsec_<base64>' })
      .optional(),
  ),
  REPLICATE_REQUEST_TIMEOUT_MS: intFrom(30_000, 100, 600_000),
  REPLICATE_PREDICTION_TIMEOUT_MS: intFrom(600_000, 1_000, 3_600_000),
  REPLICATE_DOWNLOAD_TIMEOUT_MS: intFrom(60_000, 100, 600_000),
  REPLICATE_MAX_OUTPUT_BYTES: intFrom(50 * 1024 * 1024, 1024, 500 * 1024 * 1024),
  REPLICATE_PREFER_WAIT_SEC: intFrom(0, 0, 60),
  REPLICATE_POLL_INTERVAL_MS: intFrom(1_000, 50, 60_000),
  REPLICATE_MAX_ATTEMPTS: intFrom(5, 1, 10),
});

export type ReplicateEnv = Partial<Record<keyof z.input<typeof envSchema>, string | number | undefined>> & Record<string, unknown>;

function normaliseHostList(raw: string | undefined): string[] {
  if (!raw) return [...DEFAULT_ALLOWED_OUTPUT_HOSTS];
  return raw
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean);
}

/**
 * Validates an env-like object (process.env or plugin config) into a ReplicateConfig.
 * Throws ReplicateError('config_invalid') listing the offending keys — never their values.
 */
export function parseConfig(env: Record<string, unknown>): ReplicateConfig {
  const picked: Record<string, unknown> = {};
  for (const key of Object.keys(envSchema.shape)) {
    const v = env[key];
    if (v !== undefined && v !== null) picked[key] = typeof v === 'number' ? v : String(v);
  }
  const res = envSchema.safeParse(picked);
  if (!res.success) {
    const msg = res.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ReplicateError('config_invalid', `Invalid Replicate configuration: ${scrubSecrets(msg, [String(env.REPLICATE_API_TOKEN ?? '')])}`);
  }
  const e = res.data;
  registerSecret(e.REPLICATE_API_TOKEN);
  registerSecret(e.REPLICATE_WEBHOOK_SECRET);
  return {
    apiToken: e.REPLICATE_API_TOKEN,
    baseUrl: (e.REPLICATE_BASE_URL ?? DEFAULT_BASE_URL).replace(/\/+$/, ''),
    allowedOutputHosts: normaliseHostList(e.REPLICATE_ALLOWED_OUTPUT_HOSTS),
    webhookBaseUrl: e.REPLICATE_WEBHOOK_BASE_URL,
    webhookSecret: e.REPLICATE_WEBHOOK_SECRET,
    requestTimeoutMs: e.REPLICATE_REQUEST_TIMEOUT_MS,
    predictionTimeoutMs: e.REPLICATE_PREDICTION_TIMEOUT_MS,
    downloadTimeoutMs: e.REPLICATE_DOWNLOAD_TIMEOUT_MS,
    maxOutputBytes: e.REPLICATE_MAX_OUTPUT_BYTES,
    preferWaitSec: e.REPLICATE_PREFER_WAIT_SEC,
    pollIntervalMs: e.REPLICATE_POLL_INTERVAL_MS,
    maxAttempts: e.REPLICATE_MAX_ATTEMPTS,
  };
}

export interface RedactedReplicateConfig extends Omit<ReplicateConfig, 'apiToken' | 'webhookSecret'> {
  apiToken: { configured: boolean };
  webhookSecret: { configured: boolean };
}

/** What may be shown to admins: secrets become `{configured: boolean}`. */
export function redactedConfig(config: ReplicateConfig): RedactedReplicateConfig {
  const { apiToken, webhookSecret, ...rest } = config;
  return {
    ...rest,
    allowedOutputHosts: [...rest.allowedOutputHosts],
    apiToken: { configured: !!apiToken },
    webhookSecret: { configured: !!webhookSecret },
  };
}
