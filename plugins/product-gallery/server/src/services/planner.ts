import crypto from 'node:crypto';
import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { LIVE_STATUSES } from '../domain/transitions';
import { renderPrompt } from '../domain/prompt';
import { ROLES, UID, type Role } from '../domain/vocabulary';
import type { RoleSpec } from '../domain/default-briefs';
import { getConfig, getService } from '../utils/get-service';
import { unprocessable } from '../utils/errors';
import type { Actor } from './workflow';
import type { Plan, PlannedShot } from '../../../shared/contracts/workspace';

export type { PlannedShot } from '../../../shared/contracts/workspace';

/** `auto` means: Replicate when a token is configured, else the local compositor (the demo works offline). */
export const resolveGenerator = (spec: RoleSpec, replicateConfigured: boolean): 'local' | 'replicate' => {
  // the size guide is drawn to scale from the record: no model may redraw it
  if (spec.role === 'size') return 'local';
  if (spec.generator === 'replicate') return 'replicate';
  if (spec.generator === 'auto') return replicateConfigured && spec.model ? 'replicate' : 'local';
  return 'local';
};

export default ({ strapi }: { strapi: Core.Strapi }) => {
  const service = {
    /** The shot list: one planned asset per role of the effective brief, and which roles are missing. */
    async plan(productDocumentId: string): Promise<Plan> {
      const product = await getService(strapi, 'products').get(productDocumentId);
      const brief = await getService(strapi, 'briefs').effectiveFor(product);
      const replicateConfigured = Boolean(getConfig(strapi).replicate.apiToken);
      // Not archived: a failed shot is not live (generating makes the role again) but is its status.
      const current = await strapi.db.query(UID.asset).findMany({
        where: { product: product.id, status: { $ne: 'archived' } },
        select: ['documentId', 'role', 'status', 'version', 'updatedAt'],
        orderBy: [{ updatedAt: 'desc' }, { id: 'desc' }],
      });
      const live = current.filter((a: any) => LIVE_STATUSES.includes(a.status));
      const shots: PlannedShot[] = (brief?.roles ?? [])
        .slice()
        .sort((a, b) => ROLES.indexOf(a.role) - ROLES.indexOf(b.role))
        .map((spec) => {
          const existing = live.find((a: any) => a.role === spec.role) ?? null;
          return {
            role: spec.role,
            required: spec.required !== false,
            generator: resolveGenerator(spec, replicateConfigured),
            model: spec.model || null,
            prompt: renderPrompt(spec.promptTemplate, product),
            negativePrompt: renderPrompt(spec.negativePrompt, product),
            aspectRatio: spec.aspectRatio || '1:1',
            minLongEdge: spec.minLongEdge || 1000,
            existing: existing && { documentId: existing.documentId, status: existing.status, version: existing.version },
            missing: !existing,
            status: current.find((a: any) => a.role === spec.role)?.status ?? 'missing',
          };
        });
      return {
        product: { documentId: product.documentId, title: product.title, sku: product.sku, category: product.category },
        brief: brief ? { documentId: brief.documentId, name: brief.name, version: brief.version } : null,
        shots,
        missingRoles: shots.filter((s) => s.missing).map((s) => s.role),
        missingRequired: shots.filter((s) => s.missing && s.required).map((s) => s.role),
      };
    },

    /**
     * Queue a generation for each requested role that has no live asset. Recorded in the
     * database before any work or external call, so a crash loses nothing.
     */
    async generate(productDocumentId: string, roles: Role[] | undefined, actor: Actor) {
      const plan = await service.plan(productDocumentId);
      if (!plan.brief) {
        throw unprocessable(
          `No brief applies to this ${plan.product.category}: give the product a brief, or make a brief the default for ${plan.product.category}.`
        );
      }
      const product = await getService(strapi, 'products').get(productDocumentId);
      if (!product.sourcePhoto || !product.reference) {
        throw unprocessable('This product has no analysed source photo yet. Add a source photo first: every shot is made from it.');
      }
      // An uncertain cutout is not a reference until a person has confirmed or corrected it.
      getService(strapi, 'reference').assertReady(product);
      const unknown = (roles ?? []).filter((r) => !plan.shots.some((s) => s.role === r));
      if (unknown.length) {
        throw new errors.ValidationError(`roles: the brief "${plan.brief.name}" has no ${unknown.join(', ')} role.`, {
          errors: [{ path: ['roles'], message: `not in the brief: ${unknown.join(', ')}`, name: 'ValidationError' }],
        });
      }
      const wanted = plan.shots.filter((s) => s.missing && (!roles || roles.includes(s.role)));
      const created = [];
      for (const shot of wanted) {
        created.push(
          await getService(strapi, 'workflow').create(
            {
              productId: product.id,
              role: shot.role,
              status: 'queued',
              data: {
                prompt: shot.prompt,
                generationTag: crypto.randomUUID(),
                attempts: 0,
                provenance: {
                  generator: shot.generator,
                  model: shot.generator === 'replicate' ? shot.model : null,
                  briefId: plan.brief.documentId,
                  briefVersion: plan.brief.version,
                  sourceHash: product.reference.intake?.sha256 ?? null,
                  negativePrompt: shot.negativePrompt,
                },
              },
            },
            actor
          )
        );
      }
      getService(strapi, 'dispatch').kick();
      return { assets: created, skipped: plan.shots.filter((s) => !s.missing && (!roles || roles.includes(s.role))).map((s) => s.role) };
    },
  };
  return service;
};
