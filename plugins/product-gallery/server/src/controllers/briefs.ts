import type { Core } from '@strapi/strapi';
import { getService } from '../utils/get-service';
import { parseOrThrow } from '../validation/error';
import { briefWording } from '../validation/brief-wording';
import { cloneBriefBody, documentIdParam, promptPreviewBody, updateBriefBody } from '../validation/admin';
import { renderPrompt, unknownPlaceholders } from '../domain/prompt';
import type { Role } from '../domain/vocabulary';
import type { RenderedPrompt } from '../../../shared/contracts/brief';

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
    const body = parseOrThrow(updateBriefBody, ctx.request.body ?? {}, [], briefWording);
    ctx.body = { data: await getService(strapi, 'briefs').update(documentId, body as any) };
  },

  /** The prompts a brief's role specs render to for a chosen product (the editor's live preview). */
  async preview(ctx: any) {
    const { documentId } = parseOrThrow(documentIdParam, ctx.params);
    const body = parseOrThrow(promptPreviewBody, ctx.request.body ?? {}, [], briefWording);
    const brief = await getService(strapi, 'briefs').get(documentId);
    const product = await getService(strapi, 'products').get(body.product);
    const roles = (body.roles ?? brief.roles) as Array<{ role: Role; promptTemplate?: string | null; negativePrompt?: string | null }>;
    const data: RenderedPrompt[] = roles.map((spec) => ({
        role: spec.role,
        prompt: renderPrompt(spec.promptTemplate, product),
        negativePrompt: renderPrompt(spec.negativePrompt, product),
      unknownPlaceholders: [...unknownPlaceholders(spec.promptTemplate), ...unknownPlaceholders(spec.negativePrompt)],
    }));
    ctx.body = { data };
  },

  async clone(ctx: any) {
    const { documentId } = parseOrThrow(documentIdParam, ctx.params);
    const body = parseOrThrow(cloneBriefBody, ctx.request.body ?? {}, [], briefWording);
    ctx.status = 201;
    ctx.body = { data: await getService(strapi, 'briefs').clone(documentId, body) };
  },
});
