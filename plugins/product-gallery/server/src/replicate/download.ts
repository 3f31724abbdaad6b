/**
 * Guarded download of prediction outputs. Outputs are URLs chosen by a remote service, so they are
 * treated as untrusted: host allow-list, https only, the address each name resolves to checked
 * (public addresses only; loopback only for a loopback host listed exactly) and then connected to
 * as checked (no second lookup a rebinding DNS answer could change), redirects followed by hand
 * (each hop checked again), size limit while streaming, overall timeout, no credentials sent.
 * The returned bytes are still unchecked image data: the image intake validates them.
 */
import dns from 'node:dns';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';
import { readCapped, TooLargeError } from '../utils/read-capped';
import { abortReason } from './backoff';
import { DEFAULT_ALLOWED_OUTPUT_HOSTS } from './config';
import { ReplicateError } from './errors';

/** One address a host name resolves to. */
export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Every address of a host name (the system resolver by default; tests give their own). */
export type ResolveHost = (hostname: string) => Promise<ResolvedAddress[]>;

const systemResolve: ResolveHost = async (hostname) =>
  (await dns.promises.lookup(hostname, { all: true, verbatim: true })).map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));

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
  /** How host names are resolved (default: the system resolver). */
  resolve?: ResolveHost;
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

/**
 * The address range an output may not be fetched from, or null for a public unicast address.
 * IPv4-mapped IPv6 (::ffff:a.b.c.d) is judged as the IPv4 address it carries.
 */
export function forbiddenRange(address: string): string | null {
  if (!ipaddr.isValid(address)) return 'invalid';
  const range = ipaddr.process(address).range();
  return range === 'unicast' ? null : range;
}

const RANGE_WORDS: Record<string, string> = {
  private: 'a private network address',
  loopback: 'a loopback address',
  linkLocal: 'a link-local address (such as the cloud metadata service)',
  uniqueLocal: 'a unique-local (private) address',
  unspecified: 'the unspecified address',
  carrierGradeNat: 'a carrier-grade NAT address',
};

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

/**
 * The address to connect to for an allowed URL: every address the host resolves to must be public
 * (a loopback host listed exactly may resolve to loopback, nothing else).
 */
async function checkedAddress(u: URL, resolve: ResolveHost): Promise<ResolvedAddress> {
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const literal = isIP(host);
  let addresses: ResolvedAddress[];
  if (literal) addresses = [{ address: host, family: literal === 6 ? 6 : 4 }];
  else {
    try {
      addresses = await resolve(host);
    } catch (e) {
      throw new ReplicateError('unavailable', `The output host ${host} could not be resolved.`, { cause: e });
    }
  }
  if (!addresses.length) throw new ReplicateError('unavailable', `The output host ${host} has no address.`);
  // assertAllowedOutputUrl let a loopback host through only when it was listed exactly.
  const loopbackListed = isLoopbackHost(host);
  for (const a of addresses) {
    const range = forbiddenRange(a.address);
    if (range === null || (range === 'loopback' && loopbackListed)) continue;
    throw reject(`The generated output host ${host} resolves to ${RANGE_WORDS[range] ?? `a reserved address (${range})`}; refusing to fetch it.`);
  }
  return addresses[0]!;
}

/** A lookup that answers the address already checked, so the connection goes exactly there. */
const pinnedLookup = (target: ResolvedAddress): LookupFunction =>
  ((_host: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if (options?.all) callback(null, [{ address: target.address, family: target.family }]);
    else callback(null, target.address, target.family);
  }) as unknown as LookupFunction;

function get(u: URL, target: ResolvedAddress, signal: AbortSignal): Promise<IncomingMessage> {
  const client = u.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(u, {
      method: 'GET',
      // A fresh connection per hop: a pooled socket could lead to an address checked for another name.
      agent: false,
      lookup: pinnedLookup(target),
      signal,
      headers: { Accept: 'image/*,application/octet-stream;q=0.9' },
    });
    req.once('response', resolve);
    req.once('error', reject);
    req.end();
  });
}

/** Downloads one output with the guards described above. */
export async function downloadOutput(url: string, opts: DownloadOptions = {}): Promise<DownloadedOutput> {
  const allowedHosts = opts.allowedHosts ?? DEFAULT_ALLOWED_OUTPUT_HOSTS;
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const maxRedirects = opts.maxRedirects ?? 3;
  const accept = opts.acceptContentTypes ?? DEFAULT_ACCEPT;
  const resolve = opts.resolve ?? systemResolve;

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

  let res: IncomingMessage | undefined;
  try {
    let current = assertAllowedOutputUrl(url, allowedHosts);
    let redirects = 0;
    for (;;) {
      try {
        const target = await checkedAddress(current, resolve);
        res = await get(current, target, ctrl.signal);
      } catch (e) {
        return fail(e);
      }
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400) {
        res.destroy();
        const loc = res.headers.location;
        if (!loc) throw reject('The output server answered a redirect without a location.');
        if (++redirects > maxRedirects) throw reject(`The generated output redirected more than ${maxRedirects} times.`);
        current = assertAllowedOutputUrl(new URL(loc, current).toString(), allowedHosts);
        continue;
      }
      if (status < 200 || status >= 300) {
        if (status === 404 || status === 410) {
          throw new ReplicateError('output_rejected', 'The generated output is no longer available (Replicate deletes outputs after an hour).', {
            status,
            retryable: false,
          });
        }
        throw new ReplicateError('unavailable', `The output server answered HTTP ${status}.`, { status, retryable: status >= 500 || status === 429 });
      }
      const contentType = (res.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      if (contentType && !accept.some((a) => contentType.startsWith(a))) {
        throw reject(`The generated output is not an image (content type ${contentType}).`);
      }
      const declared = res.headers['content-length'];
      const declaredLen = declared !== undefined && /^\d+$/.test(declared) ? Number(declared) : undefined;
      if (declaredLen !== undefined && declaredLen > maxBytes) {
        throw reject(`The generated output is too large (${declaredLen} bytes, limit ${maxBytes}).`);
      }
      let bytes: Buffer;
      try {
        bytes = await readCapped(res, maxBytes);
      } catch (e) {
        if (e instanceof TooLargeError) throw reject(`The generated output is too large (over ${maxBytes} bytes).`);
        return fail(e);
      }
      if (declaredLen !== undefined && bytes.length !== declaredLen) {
        throw new ReplicateError('unavailable', `The generated output download was cut off (${bytes.length} of ${declaredLen} bytes).`);
      }
      if (bytes.length === 0) throw reject('The generated output is empty.');
      return { bytes, contentType, finalUrl: current.toString(), redirects };
    }
  } finally {
    res?.destroy();
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onOuterAbort);
  }
}
