/**
 * Guarded download of prediction outputs. Outputs are URLs chosen by a remote service, so they are
 * treated as untrusted: host allow-list, https only, redirects followed by hand (each hop
 * re-checked), size limit while streaming, overall timeout, no credentials sent.
 * The returned bytes are still unchecked image data: the image intake validates them.
 */
import { isIP } from 'node:net';
import { abortReason } from './backoff';
import { DEFAULT_ALLOWED_OUTPUT_HOSTS } from './config';
import { ReplicateError } from './errors';
import type { FetchLike } from './types';

export interface DownloadOptions {
  /**
   * Allowed hosts. `example.com` allows the host and its subdomains, `*.example.com` only
   * subdomains. Loopback hosts (`127.0.0.1`, `localhost`, `[::1]`) are allowed only when listed
   * exactly (optionally with `:port`), and only they may use plain http.
   * Default: replicate.delivery and its subdomains.
   */
  allowedHosts?: readonly string[];
  maxBytes?: number;
  timeoutMs?: number;
  signal?: AbortSignal;
  fetch?: FetchLike;
  /** Content types accepted (prefix match). Default: image/* and application/octet-stream. */
  acceptContentTypes?: readonly string[];
  maxRedirects?: number;
}

export interface DownloadedOutput {
  bytes: Buffer;
  /** Content-Type of the final answer (may be empty). */
  contentType: string;
  /** URL the bytes came from after redirects. */
  finalUrl: string;
  redirects: number;
}

export const DEFAULT_MAX_OUTPUT_BYTES = 50 * 1024 * 1024;
const DEFAULT_ACCEPT = ['image/', 'application/octet-stream'];

function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || h === '0:0:0:0:0:0:0:1';
  return false;
}

function reject(message: string): ReplicateError {
  return new ReplicateError('output_rejected', message, { retryable: false });
}

/** Throws output_rejected unless the URL may be fetched under the allow-list. */
export function assertAllowedOutputUrl(rawUrl: string, allowedHosts: readonly string[] = DEFAULT_ALLOWED_OUTPUT_HOSTS): URL {
  let u: URL;
  try {
    u = new URL(rawUrl);
  } catch {
    throw reject('The generated output has an invalid URL.');
  }
  if (u.username || u.password) throw reject('The generated output URL carries credentials; refusing it.');
  const hostname = u.hostname.toLowerCase();
  const hostWithPort = u.port ? `${hostname}:${u.port}` : hostname;
  const loopback = isLoopbackHost(hostname);
  const entries = allowedHosts.map((h) => h.trim().toLowerCase()).filter(Boolean);

  let allowed = false;
  if (loopback || isIP(hostname.replace(/^\[|\]$/g, ''))) {
    // IP literals and loopback names: exact entries only, never through a wildcard.
    allowed = entries.includes(hostname) || entries.includes(hostWithPort);
  } else {
    for (const e of entries) {
      if (e.startsWith('*.')) {
        if (hostname.endsWith(e.slice(1))) allowed = true;
      } else if (e.includes(':')) {
        if (hostWithPort === e) allowed = true;
      } else if (hostname === e || hostname.endsWith(`.${e}`)) allowed = true;
    }
  }
  if (!allowed) throw reject(`The generated output is hosted on ${hostname}, which is not an allowed output host.`);
  if (u.protocol === 'https:') return u;
  if (u.protocol === 'http:' && loopback) return u;
  throw reject('The generated output URL does not use https.');
}

/** Downloads one output with the guards described above. */
export async function downloadOutput(url: string, opts: DownloadOptions = {}): Promise<DownloadedOutput> {
  const allowedHosts = opts.allowedHosts ?? DEFAULT_ALLOWED_OUTPUT_HOSTS;
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const maxRedirects = opts.maxRedirects ?? 3;
  const accept = opts.acceptContentTypes ?? DEFAULT_ACCEPT;
  const doFetch: FetchLike = opts.fetch ?? ((input, init) => fetch(input, init));

  const ctrl = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    ctrl.abort();
  }, timeoutMs);
  const onOuterAbort = () => ctrl.abort(abortReason(opts.signal!));
  if (opts.signal) {
    if (opts.signal.aborted) {
      clearTimeout(timer);
      throw new ReplicateError('canceled', 'The output download was canceled.', { retryable: false });
    }
    opts.signal.addEventListener('abort', onOuterAbort, { once: true });
  }

  const fail = (e: unknown): never => {
    if (e instanceof ReplicateError) throw e;
    if (timedOut) throw new ReplicateError('timeout', `The generated output did not download within ${Math.round(timeoutMs / 1000)} s.`, { cause: e });
    if (opts.signal?.aborted) throw new ReplicateError('canceled', 'The output download was canceled.', { retryable: false, cause: e });
    throw new ReplicateError('unavailable', 'The generated output could not be downloaded (connection failed or was cut off).', { cause: e });
  };

  try {
    let current = assertAllowedOutputUrl(url, allowedHosts);
    let redirects = 0;
    for (;;) {
      let res: Response;
      try {
        res = await doFetch(current.toString(), {
          method: 'GET',
          redirect: 'manual',
          signal: ctrl.signal,
          headers: { Accept: 'image/*,application/octet-stream;q=0.9' },
        });
      } catch (e) {
        return fail(e);
      }
      if (res.status >= 300 && res.status < 400) {
        await res.body?.cancel().catch(() => undefined);
        const loc = res.headers.get('location');
        if (!loc) throw reject('The output server answered a redirect without a location.');
        if (++redirects > maxRedirects) throw reject(`The generated output redirected more than ${maxRedirects} times.`);
        current = assertAllowedOutputUrl(new URL(loc, current).toString(), allowedHosts);
        continue;
      }
      if (!res.ok) {
        await res.body?.cancel().catch(() => undefined);
        if (res.status === 404 || res.status === 410) {
          throw new ReplicateError('output_rejected', 'The generated output is no longer available (Replicate deletes outputs after an hour).', {
            status: res.status,
            retryable: false,
          });
        }
        throw new ReplicateError('unavailable', `The output server answered HTTP ${res.status}.`, { status: res.status, retryable: res.status >= 500 || res.status === 429 });
      }
      const contentType = (res.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
      if (contentType && !accept.some((a) => contentType.startsWith(a))) {
        await res.body?.cancel().catch(() => undefined);
        throw reject(`The generated output is not an image (content type ${contentType}).`);
      }
      const declared = res.headers.get('content-length');
      const declaredLen = declared !== null && /^\d+$/.test(declared) ? Number(declared) : undefined;
      if (declaredLen !== undefined && declaredLen > maxBytes) {
        await res.body?.cancel().catch(() => undefined);
        throw reject(`The generated output is too large (${declaredLen} bytes, limit ${maxBytes}).`);
      }
      const chunks: Buffer[] = [];
      let total = 0;
      if (res.body) {
        const reader = res.body.getReader();
        try {
          for (;;) {
            const { done, value } = await reader.read();
            if (done) break;
            total += value.byteLength;
            if (total > maxBytes) {
              await reader.cancel().catch(() => undefined);
              ctrl.abort();
              throw reject(`The generated output is too large (over ${maxBytes} bytes).`);
            }
            chunks.push(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
          }
        } catch (e) {
          return fail(e);
        }
      }
      if (declaredLen !== undefined && total !== declaredLen) {
        throw new ReplicateError('unavailable', `The generated output download was cut off (${total} of ${declaredLen} bytes).`);
      }
      if (total === 0) throw reject('The generated output is empty.');
      return { bytes: Buffer.concat(chunks, total), contentType, finalUrl: current.toString(), redirects };
    }
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onOuterAbort);
  }
}
