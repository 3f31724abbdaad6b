import type { Core } from '@strapi/strapi';
import { getService } from '../utils/get-service';
import { matchesIfNoneMatch } from '../utils/if-none-match';
import { documentIdParam } from '../validation/admin';
import { parseOrThrow } from '../validation/error';

/** What the map found, for the admin to say in words (the PNG alone cannot say "not found"). */
const EXPOSED = ['X-Difference-Registered', 'X-Difference-Reason', 'X-Difference-Method', 'X-Difference-Changed', 'X-Difference-Regions'];

export default ({ strapi }: { strapi: Core.Strapi }) => ({
  /**
   * GET /assets/:documentId/difference: the difference map as a PNG (the candidate dimmed, the
   * source product's outline where it lands, the places that differ in magenta). 404 for an
   * unknown asset, 409 when it has no file yet or its product has no source photo.
   */
  async difference(ctx: any) {
    const { documentId } = parseOrThrow(documentIdParam, ctx.params);
    const service = getService(strapi, 'difference');
    const etag = `"${await service.etag(documentId)}"`;
    // Only a map (or its 304) carries the ETag: a refusal (503 when the pipeline is busy) is not one.
    const validators = () => ctx.set({ 'Cache-Control': 'private, no-cache', ETag: etag });
    if (matchesIfNoneMatch(ctx.get('If-None-Match'), etag)) {
      validators();
      ctx.status = 304;
      return;
    }
    const map = await service.compute(documentId);
    validators();
    ctx.set('X-Difference-Registered', String(map.registered));
    ctx.set('X-Difference-Method', map.method ?? 'none');
    if (map.reason) ctx.set('X-Difference-Reason', encodeURIComponent(map.reason));
    if (map.changedFraction !== null) ctx.set('X-Difference-Changed', String(map.changedFraction));
    ctx.set('X-Difference-Regions', String(map.regions.length));
    ctx.set('Access-Control-Expose-Headers', EXPOSED.join(', '));
    ctx.type = 'image/png';
    ctx.body = map.png;
  },
});
