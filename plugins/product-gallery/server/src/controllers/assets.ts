import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { EDITOR_TRANSITIONS, TRANSITIONS } from '../domain/transitions';
import { assetView } from '../services/assets';
import type { AssetUpdateResult, TransitionResult } from '../../../shared/contracts/assets';
import type { Actor } from '../services/workflow';
import { unprocessable } from '../utils/errors';
import { ACTIONS } from '../bootstrap/permissions-setup';
import { getService } from '../utils/get-service';
import { listAssetsQuery, transitionBody, updateAssetBody } from '../validation/assets';
import { documentIdParam } from '../validation/admin';
import { parseOrThrow } from '../validation/error';

/** The signed-in admin, as the audit log records them. */
export const actorOf = (ctx: any): Actor => {
  const user = ctx.state?.user;
  if (!user?.id) throw new errors.UnauthorizedError('Sign in to change images.');
  return { kind: 'admin', id: user.id, email: user.email ?? `admin#${user.id}` };
};

export default ({ strapi }: { strapi: Core.Strapi }) => ({
  /** GET /assets?product=&status=&role=&page=&pageSize=: each row with this editor's moves. */
  async find(ctx: any) {
    const query = parseOrThrow(listAssetsQuery, ctx.query ?? {});
    ctx.body = await getService(strapi, 'assets').list(query, ctx.state.userAbility);
  },

  /** GET /assets/:documentId: the review payload. */
  async findOne(ctx: any) {
    const { documentId } = parseOrThrow(documentIdParam, ctx.params);
    ctx.body = { data: await getService(strapi, 'assets').review(documentId, ctx.state.userAbility) };
  },

  /**
   * PUT /assets/:documentId {alt?, focalPoint?: {x, y} | null}: alt text and focal point, audited.
   * A published image is on the shop's page, so changing it needs the publish action too.
   */
  async update(ctx: any) {
    const { documentId } = parseOrThrow(documentIdParam, ctx.params);
    const body = parseOrThrow(updateAssetBody, ctx.request.body ?? {});
    const workflow = getService(strapi, 'workflow');
    const current = await workflow.load(documentId);
    if (current.status === 'published' && !ctx.state.userAbility?.can(ACTIONS.publish)) {
      // PolicyError: the router turns a plain ForbiddenError into a bare "Forbidden".
      throw new errors.PolicyError(`This image is on the product page: changing it needs the publish action (${ACTIONS.publish}).`, {
        action: ACTIONS.publish,
      });
    }
    const { changed } = await workflow.updateDetails({ documentId, alt: body.alt, focalPoint: body.focalPoint, actor: actorOf(ctx) });
    const full = await strapi.db.query('plugin::product-gallery.image-asset').findOne({
      where: { documentId },
      populate: { file: true, product: true },
    });
    const data: AssetUpdateResult = { ...assetView(full), focalPoint: full.focalPoint ?? null, changed };
    ctx.body = { data };
  },

  /** POST /assets/:documentId/transition {to, version, note?, override?}; the target's action is checked by the can-transition policy. */
  async transition(ctx: any) {
    const { documentId } = parseOrThrow(documentIdParam, ctx.params);
    const body = parseOrThrow(transitionBody, ctx.request.body ?? {});
    if (!EDITOR_TRANSITIONS.has(body.to)) {
      throw unprocessable(`Only the generation worker moves an image to ${body.to}.`, { to: body.to });
    }
    const asset = await getService(strapi, 'workflow').transition({
      documentId,
      to: body.to,
      version: body.version,
      note: body.note ?? null,
      override: body.override ?? null,
      actor: actorOf(ctx),
    });
    const full = await strapi.db.query('plugin::product-gallery.image-asset').findOne({
      where: { id: asset.id },
      populate: { file: true, product: true },
    });
    const data: TransitionResult = { ...assetView(full), allowed: TRANSITIONS[full.status as keyof typeof TRANSITIONS] };
    ctx.body = { data };
  },
});
