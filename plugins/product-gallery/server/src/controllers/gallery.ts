import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { etagOf } from '../domain/gallery-shape';
import { matchesIfNoneMatch } from '../utils/if-none-match';
import { tooManyRequests, waitInWords } from '../utils/errors';
import type { BudgetAnswer } from '../utils/rate-limit';
import { getConfig, getService } from '../utils/get-service';
import { parseOrThrow } from '../validation/error';
import { galleriesQuery, galleryParams, galleryQuery } from '../validation/gallery';
import { rowReadWithGrant } from '../strategies/public-gallery';

const TOKEN_STRATEGIES = new Set(['content-api-token', 'api-token']);
const VARY = ['Authorization', 'Accept-Encoding'];

/** Who a storefront request counts against: its API token, its user, else its address. */
const clientOf = (ctx: any) => {
  const auth = ctx.state?.auth;
  if (TOKEN_STRATEGIES.has(auth?.strategy?.name) && auth.credentials?.id) return `token:${auth.credentials.id}`;
  if (ctx.state?.user?.id) return `user:${ctx.state.user.id}`;
  return `ip:${ctx.request.ip}`;
};

/**
 * Storefront content API (GET /api/product-gallery/galleries[/:slug]); actions `gallery.find`
 * and `gallery.findOne`, granted to the Public role by default. Only published images.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  /**
   * Strong ETag over the exact body and 304 for a matching If-None-Match. An anonymous answer is
   * the same for everyone: shared caches may keep it. An answer to a token or a signed-in user is
   * theirs alone (a permission can differ from the Public role's): only their own cache keeps it,
   * and every answer varies on Authorization, so no cache hands one to the other.
   */
  let publicCacheControl: string | undefined;
  const send = (ctx: any, json: string, etag: string) => {
    if (publicCacheControl === undefined) {
      const maxAge = getConfig(strapi).gallery.cacheMaxAge;
      publicCacheControl = `public, max-age=${maxAge}, stale-while-revalidate=${Math.max(maxAge, 60)}`;
    }
    ctx.set('ETag', etag);
    ctx.set('Cache-Control', ctx.request.header?.authorization ? 'private, no-cache' : publicCacheControl);
    ctx.vary(VARY);
    ctx.status = 200;
    if (matchesIfNoneMatch(ctx.request.header?.['if-none-match'], etag)) {
      ctx.status = 304;
      ctx.body = null;
      return;
    }
    ctx.type = 'application/json; charset=utf-8';
    ctx.body = json;
  };

  const refuseIfSpent = ({ allowed, retryAfterMs }: BudgetAnswer) => {
    if (allowed) return;
    throw tooManyRequests(retryAfterMs, `Too many lookups of products without a gallery from this client. Try again in ${waitInWords(retryAfterMs)}.`, {
      code: 'storefront_rate_limited',
    });
  };

  /**
   * Lookups of slugs with nothing published are what guessing produces: a client that has made
   * too many is refused every lookup (known ones too, or the refusal itself would tell) until its
   * budget refills. Returns the charge to make once the lookup's misses are known.
   *
   * Before the lookup the budget is read as this instance last saw it (no round trip to Redis for
   * a storefront asking for what it sells); a lookup that missed asks the shared budget itself
   * before it is answered or charged, so a client that spent its budget on other instances is
   * refused at its first miss here, and every lookup after it.
   */
  const guardGuessing = async (ctx: any) => {
    const budget = getService(strapi, 'limits').storefrontMisses();
    if (!budget) return async () => undefined;
    const client = clientOf(ctx);
    refuseIfSpent(await budget.peek(client, { recent: true }));
    return async (misses: number) => {
      if (misses <= 0) return;
      refuseIfSpent(await budget.peek(client));
      await budget.charge(client, misses);
    };
  };

  return {
    async find(ctx: any) {
      const { slugs, channel } = parseOrThrow(galleriesQuery, ctx.query ?? {});
      const charge = await guardGuessing(ctx);
      const { json, found } = await getService(strapi, 'gallery').many(slugs, { channel });
      await charge(slugs.length - found);
      send(ctx, json, etagOf(json));
    },

    async findOne(ctx: any) {
      const { slug } = parseOrThrow(galleryParams, ctx.params);
      const { channel } = parseOrThrow(galleryQuery, ctx.query ?? {});
      const charge = await guardGuessing(ctx);
      const gallery = getService(strapi, 'gallery');
      // An anonymous request's row was read with the Public role's grant, in the same statement.
      const read = rowReadWithGrant(ctx, slug);
      const one = read ? gallery.view(read.row, { channel }) : await gallery.one(slug, { channel });
      if (!one) {
        await charge(1);
        throw new errors.NotFoundError(`No product gallery with slug "${slug}".`);
      }
      send(ctx, one.json, one.etag);
    },
  };
};
