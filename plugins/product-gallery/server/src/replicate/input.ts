import { createHash } from 'node:crypto';

/** JSON with object keys sorted, so equal inputs serialize identically. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object' && !(v instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v as Record<string, unknown>).sort()) {
      const x = (v as Record<string, unknown>)[k];
      if (x !== undefined) out[k] = sortKeys(x);
    }
    return out;
  }
  return v;
}

/** sha256 (hex) of the canonical JSON of a prediction input: store it with the creation record. */
export function inputHash(input: unknown): string {
  return createHash('sha256').update(canonicalJson(input)).digest('hex');
}

export function inputsEqual(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

/**
 * Inline data URIs only for tiny files; larger ones are uploaded once (POST /v1/files) and passed
 * by URL. Replicate accepts data URIs up to 256 KB, but a prediction's input comes back in every
 * GET of it: a 190 KB photo inlined cost each poll a quarter-megabyte of JSON to read, and the
 * uploaded URL is reused by every shot made from the same photo.
 */
export const DATA_URI_MAX_BYTES = 32 * 1024;

/** Builds a `data:` URI ourselves (never via the client's `fileEncodingStrategy: 'data-uri'`). */
export function toDataUri(bytes: Uint8Array, mimeType: string): string {
  if (!/^[\w.+-]+\/[\w.+-]+$/.test(mimeType)) throw new Error(`Invalid MIME type for a data URI: ${mimeType}`);
  return `data:${mimeType};base64,${Buffer.from(bytes).toString('base64')}`;
}
