import type { Core } from '@strapi/strapi';
import { getService } from '../utils/get-service';
import { parseOrThrow } from '../validation/error';
import { documentIdParam } from '../validation/admin';
import { confirmBody, previewBody } from '../validation/reference';
import type { Actor } from '../services/workflow';

const actorOf = (ctx: any): Actor => ({ kind: 'admin', id: ctx.state.user.id, email: ctx.state.user.email });

/** The product's reference cutout: refine preview, confirmation, AI second opinion, history. */
export default ({ strapi }: { strapi: Core.Strapi }) => ({
  async preview(ctx: any) {
    const { documentId } = parseOrThrow(documentIdParam, ctx.params);
    const body = parseOrThrow(previewBody, ctx.request.body ?? {});
    ctx.body = { data: await getService(strapi, 'reference').preview(documentId, body) };
  },

  async confirm(ctx: any) {
    const { documentId } = parseOrThrow(documentIdParam, ctx.params);
    const body = parseOrThrow(confirmBody, ctx.request.body ?? {});
    ctx.body = { data: await getService(strapi, 'reference').confirm(documentId, body, actorOf(ctx)) };
  },

  async secondOpinion(ctx: any) {
    const { documentId } = parseOrThrow(documentIdParam, ctx.params);
    ctx.body = { data: await getService(strapi, 'reference').secondOpinion(documentId, actorOf(ctx)) };
  },

  async history(ctx: any) {
    const { documentId } = parseOrThrow(documentIdParam, ctx.params);
    ctx.body = { data: await getService(strapi, 'reference').history(documentId) };
  },
});
