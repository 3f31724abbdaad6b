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
  const send = (ctx: any, payload: unknown) => {
    const body = JSON.stringify(payload);
    const maxAge = getConfig(strapi).gallery.cacheMaxAge;
    ctx.set('ETag', etagOf(body));
    ctx.set('Cache-Control', `public, max-age=${maxAge}, stale-while-revalidate=${Math.max(maxAge, 60)}`);
    ctx.vary?.('Accept-Encoding');
    ctx.status = 200;
    if (ctx.fresh) {
      ctx.status = 304;
      ctx.body = null;
      return;
    }
    ctx.type = 'application/json; charset=utf-8';
    ctx.body = body;
  };

  return {
    async find(ctx: any) {
      const { slugs, channel } = parseOrThrow(galleriesQuery, ctx.query ?? {});
      const data = await getService(strapi, 'gallery').bySlugs(slugs, { channel });
      send(ctx, { data, meta: { requested: slugs.length, found: data.length } });
    },

    async findOne(ctx: any) {
      const { slug } = parseOrThrow(galleryParams, ctx.params);
      const { channel } = parseOrThrow(galleryQuery, ctx.query ?? {});
      const [gallery] = await getService(strapi, 'gallery').bySlugs([slug], { channel });
      if (!gallery) throw new errors.NotFoundError(`No product with slug "${slug}".`);
      send(ctx, { data: gallery, meta: {} });
    },
  };
};
