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

/** Inline data URIs are fine for small files (Replicate suggests <= 256 KB); upload larger ones. */
export const DATA_URI_MAX_BYTES = 256 * 1024;

/** Builds a `data:` URI ourselves (never via the client's `fileEncodingStrategy: 'data-uri'`). */
export function toDataUri(bytes: Uint8Array, mimeType: string): string {
  if (!/^[\w.+-]+\/[\w.+-]+$/.test(mimeType)) throw new Error(`Invalid MIME type for a data URI: ${mimeType}`);
  return `data:${mimeType};base64,${Buffer.from(bytes).toString('base64')}`;
}
