/**
 * Whether a request's If-None-Match names this ETag (RFC 9110 13.1.2: weak comparison, `*`
 * matches any current representation). Koa's `ctx.fresh` answers false whenever the request
 * says `Cache-Control: no-cache`, which the Fetch standard adds beside every If-None-Match it
 * sends: a storefront server using fetch would get the whole body every time. A no-cache request
 * asks caches on the way to revalidate, and this is the revalidation: the origin may answer 304.
 */
export const matchesIfNoneMatch = (header: string | string[] | undefined, etag: string): boolean => {
  const value = Array.isArray(header) ? header.join(',') : header;
  if (!value) return false;
  if (value.trim() === '*') return true;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  const mine = opaque(etag);
  return value.split(',').some((tag) => opaque(tag) === mine);
};
