import type { Core } from '@strapi/strapi';
import { getService } from '../utils/get-service';
import { parseOrThrow } from '../validation/error';
import { cloneBriefBody, documentIdParam, updateBriefBody } from '../validation/admin';

export default ({ strapi }: { strapi: Core.Strapi }) => ({
  async find(ctx: any) {
    ctx.body = { data: await getService(strapi, 'briefs').list() };
  },

  async findOne(ctx: any) {
    const { documentId } = parseOrThrow(documentIdParam, ctx.params);
    ctx.body = { data: await getService(strapi, 'briefs').get(documentId) };
  },

  async update(ctx: any) {
    const { documentId } = parseOrThrow(documentIdParam, ctx.params);
    const body = parseOrThrow(updateBriefBody, ctx.request.body ?? {});
    ctx.body = { data: await getService(strapi, 'briefs').update(documentId, body as any) };
  },

  async clone(ctx: any) {
    const { documentId } = parseOrThrow(documentIdParam, ctx.params);
    const body = parseOrThrow(cloneBriefBody, ctx.request.body ?? {});
    ctx.status = 201;
    ctx.body = { data: await getService(strapi, 'briefs').clone(documentId, body) };
  },
});
