import type { Core } from '@strapi/strapi';
import { getService } from '../utils/get-service';
import { channelPreviewParams, channelPreviewQuery, listProductsQuery, packQuery } from '../validation/assets';
import { documentIdParam } from '../validation/admin';
import { parseOrThrow } from '../validation/error';
import type { ChannelPreview } from '../../../shared/contracts/channel-preview';

export default ({ strapi }: { strapi: Core.Strapi }) => ({
  /** GET /products?category=&missing=&awaiting=&q=&page=&pageSize=: the overview with readiness. */
  async find(ctx: any) {
    const query = parseOrThrow(listProductsQuery, ctx.query ?? {});
    ctx.body = await getService(strapi, 'readiness').overview(query);
  },

  /** GET /products/:documentId/readiness */
  async readiness(ctx: any) {
    const { documentId } = parseOrThrow(documentIdParam, ctx.params);
    ctx.body = { data: await getService(strapi, 'readiness').forProduct(documentId) };
  },

  /** GET /products/:documentId/pack?channel=: a streamed ZIP of the published gallery for one channel. */
  async pack(ctx: any) {
    const { documentId } = parseOrThrow(documentIdParam, ctx.params);
    const { channel } = parseOrThrow(packQuery, ctx.query ?? {});
    const { filename, stream } = await getService(strapi, 'pipeline').admit(() => getService(strapi, 'pack').build(documentId, channel));
    ctx.set('Content-Disposition', `attachment; filename="${filename}"`);
    ctx.set('Cache-Control', 'no-store');
    ctx.type = 'application/zip';
    ctx.body = stream;
  },

  /** GET /products/:documentId/channels/:channel/preview?size=: the pack's files, the channel's rules, what breaks them. */
  async channelPreview(ctx: any) {
    const { documentId, channel } = parseOrThrow(channelPreviewParams, ctx.params);
    const { size } = parseOrThrow(channelPreviewQuery, ctx.query ?? {});
    ctx.set('Cache-Control', 'no-store');
    const data: ChannelPreview = await getService(strapi, 'pipeline').admit(() => getService(strapi, 'pack').preview(documentId, channel, size));
    ctx.body = { data };
  },
});
