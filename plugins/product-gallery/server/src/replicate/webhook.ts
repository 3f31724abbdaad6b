import { createHmac, timingSafeEqual } from 'node:crypto';
import { ReplicateError } from './errors';
import type { Prediction } from './types';

/**
 * Replicate webhook signatures (Standard Webhooks scheme):
 *   signed content = `${webhook-id}.${webhook-timestamp}.${rawBody}`
 *   signature      = base64(HMAC-SHA256(key = base64decode(secret without "whsec_"), content))
 *   header         = space-separated list of `v1,<base64>` entries.
 * Unlike client 1.4.0's validateWebhook, we check the timestamp (5 minutes both ways) and compare
 * in constant time.
 */

export type HeaderBag =
  | Record<string, string | string[] | undefined>
  | { get(name: string): string | null };

export interface VerifyWebhookOptions {
  headers: HeaderBag;
  /** The exact bytes received; a re-serialized JSON body will not verify. */
  rawBody: string | Buffer | Uint8Array;
  /** `whsec_<base64>` from GET /v1/webhooks/default/secret. */
  secret: string;
  toleranceSec?: number;
  /** Current time in ms since the epoch (tests). */
  now?: number;
}

export interface VerifiedWebhook {
  id: string;
  timestamp: number;
  prediction: Prediction;
}

function header(headers: HeaderBag, name: string): string | undefined {
  if (typeof (headers as { get?: unknown }).get === 'function') {
    const v = (headers as { get(n: string): string | null }).get(name);
    return v ?? undefined;
  }
  const bag = headers as Record<string, string | string[] | undefined>;
  let v = bag[name];
  if (v === undefined) {
    const key = Object.keys(bag).find((k) => k.toLowerCase() === name);
    v = key ? bag[key] : undefined;
  }
  if (Array.isArray(v)) return v.join(' ');
  return v;
}

export function webhookSecretKey(secret: string): Buffer {
  if (typeof secret !== 'string' || secret.length === 0) {
    throw new ReplicateError('config_invalid', 'The webhook signing secret is not configured.');
  }
  const b64 = secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret;
  const key = Buffer.from(b64, 'base64');
  if (key.length === 0) throw new ReplicateError('config_invalid', 'The webhook signing secret is malformed.');
  return key;
}

/** Computes the `v1,<base64>` signature for a delivery (used by the fake server and tests). */
export function signWebhook(id: string, timestamp: number | string, rawBody: string | Buffer, secret: string): string {
  const body = typeof rawBody === 'string' ? rawBody : rawBody.toString('utf8');
  const mac = createHmac('sha256', webhookSecretKey(secret)).update(`${id}.${timestamp}.${body}`).digest('base64');
  return `v1,${mac}`;
}

function invalid(message: string): ReplicateError {
  return new ReplicateError('webhook_invalid', message, { retryable: false, status: 401 });
}

/** Verifies a Replicate webhook delivery and returns the parsed prediction, or throws `webhook_invalid`. */
export function verifyWebhook(opts: VerifyWebhookOptions): VerifiedWebhook {
  const tolerance = opts.toleranceSec ?? 300;
  const id = header(opts.headers, 'webhook-id');
  const ts = header(opts.headers, 'webhook-timestamp');
  const sigHeader = header(opts.headers, 'webhook-signature');
  if (!id || !ts || !sigHeader) throw invalid('Webhook rejected: missing webhook-id, webhook-timestamp or webhook-signature header.');
  if (!/^\d{1,12}$/.test(ts.trim())) throw invalid('Webhook rejected: malformed timestamp.');
  const timestamp = Number(ts.trim());
  const nowSec = Math.floor((opts.now ?? Date.now()) / 1000);
  if (Math.abs(nowSec - timestamp) > tolerance) {
    throw invalid(`Webhook rejected: timestamp outside the ${tolerance}s tolerance.`);
  }
  const raw = typeof opts.rawBody === 'string' ? Buffer.from(opts.rawBody, 'utf8') : Buffer.from(opts.rawBody);
  const key = webhookSecretKey(opts.secret);
  const expected = createHmac('sha256', key)
    .update(Buffer.concat([Buffer.from(`${id}.${timestamp}.`, 'utf8'), raw]))
    .digest();
  // Recompute with the timestamp string exactly as sent too (leading zeros would differ).
  const expectedAsSent =
    ts.trim() === String(timestamp)
      ? expected
      : createHmac('sha256', key).update(Buffer.concat([Buffer.from(`${id}.${ts.trim()}.`, 'utf8'), raw])).digest();

  let ok = false;
  for (const part of sigHeader.split(' ')) {
    const [version, sig] = part.split(',', 2);
    if (version !== 'v1' || !sig) continue;
    let given: Buffer;
    try {
      given = Buffer.from(sig, 'base64');
    } catch {
      continue;
    }
    // timingSafeEqual needs equal lengths; a wrong length is a mismatch (its length is not secret).
    if (given.length === expected.length && timingSafeEqual(given, expected)) ok = true;
    else if (expectedAsSent !== expected && given.length === expectedAsSent.length && timingSafeEqual(given, expectedAsSent)) ok = true;
  }
  if (!ok) throw invalid('Webhook rejected: signature mismatch.');

  let prediction: Prediction;
  try {
    prediction = JSON.parse(raw.toString('utf8')) as Prediction;
  } catch {
    throw invalid('Webhook rejected: body is not JSON.');
  }
  if (!prediction || typeof prediction !== 'object' || typeof prediction.id !== 'string' || typeof prediction.status !== 'string') {
    throw invalid('Webhook rejected: body is not a prediction.');
  }
  return { id, timestamp, prediction };
}

/** Adds/replaces `?gen=<tag>` on a webhook URL so a delivery (and a listed prediction) names our generation. */
export function webhookUrlWithTag(baseUrl: string, tag: string): string {
  const u = new URL(baseUrl);
  u.searchParams.set('gen', tag);
  return u.toString();
}

/** Reads the `gen` tag back from a webhook URL (undefined when absent or unparsable). */
export function tagFromWebhookUrl(url: string | null | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(url).searchParams.get('gen') ?? undefined;
  } catch {
    return undefined;
  }
}
