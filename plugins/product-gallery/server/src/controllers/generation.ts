import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { getConfig, getService } from '../utils/get-service';
import { parseOrThrow } from '../validation/error';
import { documentIdParam } from '../validation/admin';
import { generateBody, importBody, progressQuery, uploadedFileName } from '../validation/generation';
import type { Actor } from '../services/workflow';
import { ACCEPTED_TYPES } from '../pipeline/intake';
import { CHANNELS } from '../domain/vocabulary';
import type { PluginConfig } from '../../../shared/contracts/config';
import type { GenerateResult, ImportResult, Workspace } from '../../../shared/contracts/workspace';
import { referenceView } from '../services/reference';

const actorOf = (ctx: any): Actor => ({ kind: 'admin', id: ctx.state.user.id, email: ctx.state.user.email });

/** The product workspace: source photo analysis, shot list, generation and import. */
export default ({ strapi }: { strapi: Core.Strapi }) => ({
  async workspace(ctx: any) {
    const { documentId } = parseOrThrow(documentIdParam, ctx.params);
    const products = getService(strapi, 'products');
    const product = await products.get(documentId);
    const plan = await getService(strapi, 'planner').plan(documentId);
    const brief = await getService(strapi, 'briefs').effectiveFor(product);
    const data: Workspace = {
      product: {
        documentId: product.documentId,
        title: product.title,
        slug: product.slug,
        sku: product.sku,
        category: product.category,
        metal: product.metal ?? null,
        stones: product.stones ?? [],
        dimensions: product.dimensions ?? null,
        description: product.description ?? null,
      },
      sourcePhoto: product.sourcePhoto
        ? {
            id: product.sourcePhoto.id,
            url: product.sourcePhoto.url,
            width: product.sourcePhoto.width ?? null,
            height: product.sourcePhoto.height ?? null,
            mime: product.sourcePhoto.mime ?? null,
          }
        : null,
      reference: product.reference ? referenceView(product.reference) : null,
      brief,
      plan,
    };
    ctx.body = { data };
  },

  async reanalyze(ctx: any) {
    const { documentId } = parseOrThrow(documentIdParam, ctx.params);
    ctx.body = { data: referenceView(await getService(strapi, 'products').reanalyze(documentId)) };
  },

  async generate(ctx: any) {
    const { documentId } = parseOrThrow(documentIdParam, ctx.params);
    const body = parseOrThrow(generateBody, ctx.request.body ?? {});
    const { assets, skipped } = await getService(strapi, 'planner').generate(documentId, body.roles, actorOf(ctx));
    // The shots as they were queued (the worker may have taken them since), as the asset list shows them.
    const data: GenerateResult = { assets: await getService(strapi, 'assets').listItems(assets, ctx.state.userAbility), skipped };
    ctx.status = 202;
    ctx.body = { data };
  },

  /** Its temp file is deleted by middlewares/upload-cleanup.ts, however the request ends. */
  async importAsset(ctx: any) {
    const { documentId } = parseOrThrow(documentIdParam, ctx.params);
    const body = parseOrThrow(importBody, ctx.request.body ?? {});
    const files = ctx.request.files ?? {};
    const file = Array.isArray(files.file) ? files.file[0] : files.file;
    if (!file) {
      throw new errors.ValidationError('file: attach the image to import (multipart field "file").', {
        errors: [{ path: ['file'], message: 'attach the image to import', name: 'ValidationError' }],
      });
    }
    const { asset, warnings, candidates } = await getService(strapi, 'candidates').importImage(
      { productDocumentId: documentId, role: body.role, file: { filepath: file.filepath, originalFilename: parseOrThrow(uploadedFileName, file.originalFilename), size: file.size } },
      actorOf(ctx)
    );
    ctx.status = 201;
    // The new draft, then what the editor should know before reviewing it: where it breaks its
    // role's rules (the checks will flag the same), and which of the role's images fills the slot.
    const [data] = await getService(strapi, 'assets').listItems([asset], ctx.state.userAbility);
    ctx.body = { data, meta: { warnings, candidates } } satisfies ImportResult;
  },

  async progress(ctx: any) {
    const query = parseOrThrow(progressQuery, ctx.query ?? {});
    ctx.body = { data: await getService(strapi, 'dispatch').progress(query.product) };
  },

  async settings(ctx: any) {
    const config = getConfig(strapi);
    const data: PluginConfig = {
      replicateConfigured: Boolean(config.replicate.apiToken),
      webhooksConfigured: Boolean(getService(strapi, 'webhookSecret').secret()),
      queue: config.redisUrl ? 'redis' : 'database',
      channels: [...CHANNELS],
      // What an import is refused for before any check runs, so the import form can say so first.
      intake: {
        types: ACCEPTED_TYPES,
        maxBytes: config.pipeline.maxBytes,
        maxPixels: config.pipeline.maxPixels,
        minShortSide: config.pipeline.minShortSide,
      },
    };
    ctx.body = { data };
  },
});
