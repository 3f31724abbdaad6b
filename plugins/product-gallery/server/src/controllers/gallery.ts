import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { etagOf } from '../services/gallery';
import { getConfig, getService } from '../utils/get-service';
import { parseOrThrow } from '../validation/error';
import { galleriesQuery, galleryParams, galleryQuery } from '../validation/gallery';

/**
 * Storefront content API (GET /api/product-gallery/galleries[/:slug]); actions `gallery.find`
 * and `gallery.findOne`, granted to the Public role by default. Only published images.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  /** Strong ETag over the exact body, shared-cache headers, and 304 for a matching If-None-Match. */
  let maxAge: number | undefined;
  const send = (ctx: any, json: string, etag: string) => {
    maxAge ??= getConfig(strapi).gallery.cacheMaxAge;
    ctx.set('ETag', etag);
    ctx.set('Cache-Control', `public, max-age=${maxAge}, stale-while-revalidate=${Math.max(maxAge, 60)}`);
    ctx.vary?.('Accept-Encoding');
    ctx.status = 200;
    if (ctx.fresh) {
      ctx.status = 304;
      ctx.body = null;
      return;
    }
    ctx.type = 'application/json; charset=utf-8';
    ctx.body = json;
  };

  return {
    async find(ctx: any) {
      const { slugs, channel } = parseOrThrow(galleriesQuery, ctx.query ?? {});
      const data = await getService(strapi, 'gallery').bySlugs(slugs, { channel });
      const json = JSON.stringify({ data, meta: { requested: slugs.length, found: data.length } });
      send(ctx, json, etagOf(json));
    },

    async findOne(ctx: any) {
      const { slug } = parseOrThrow(galleryParams, ctx.params);
      const { channel } = parseOrThrow(galleryQuery, ctx.query ?? {});
      const one = await getService(strapi, 'gallery').oneBody(slug, { channel });
      if (!one) throw new errors.NotFoundError(`No product with slug "${slug}".`);
      send(ctx, one.json, one.etag);
    },
  };
};
