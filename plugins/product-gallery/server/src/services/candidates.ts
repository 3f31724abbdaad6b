import fs from 'node:fs/promises';
import sharp from 'sharp';
import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { UID, ROLES, type Role } from '../domain/vocabulary';
import type { CandidateCheck } from '../pipeline/jobs';
import type { CandidateCheckSpec } from '../pipeline/fidelity';
import { CUTOUT_REVIEW_THRESHOLD } from '../pipeline/cutout';
import { summarizeQc } from '../pipeline/qc';
import { digitalSourceTypeOf, labelFile, xmpOf, type SourceLabel } from '../pipeline/source-label';
import { roleRuleWarnings, type RoleRuleWarning } from '../pipeline/role-rules';
import { roleCandidates, type RoleCandidates } from '../domain/role-candidates';
import { getService } from '../utils/get-service';
import { unprocessable } from '../utils/errors';
import type { Actor } from './workflow';
import type { ProductReference } from './products';

interface Delivered {
  width: number;
  height: number;
  focalPoint: { x: number; y: number };
  thumbhash: string;
  renditions: Array<{ width: number; height: number; format: string; mime: string; buffer: Buffer | Uint8Array; bytes?: number }>;
}

const EXT: Record<string, string> = { jpeg: '.jpg', png: '.png', webp: '.webp', avif: '.avif', tiff: '.tif', heic: '.heic' };
const MIME: Record<string, string> = { jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp' };

/** Alt text a shopper's screen reader can use, from the product record. */
export const altTextFor = (product: { title: string; metal?: string | null; category?: string | null }, role: Role) => {
  const what = `${product.title}${product.metal ? `, ${product.metal.replace('-', ' ')}` : ''}`;
  switch (role) {
    case 'clean':
      return `${what} on a white background`;
    case 'model':
      return `${what} worn, showing its size`;
    case 'detail':
      return `Close-up of ${what}`;
    case 'size':
      return `${what} beside a millimetre ruler and a coin, showing its real size`;
    default:
      return `${what} styled in a scene`;
  }
};

export interface SecuredOutput {
  fileId: number;
  intake: CandidateCheck['intake'];
  /** The bytes stored: the candidate's pixels, with only the label as metadata. */
  bytes: Buffer;
  /** What the stored file says made it (null: nothing known). */
  sourceType: SourceLabel['type'] | null;
}

/**
 * Every candidate image, generated or imported, takes the same road, in two stages: secure
 * (intake, then stored as it is in the Media Library: Replicate deletes outputs after an hour)
 * and check (QC against the source's reference, storefront renditions). The stages run apart, so
 * a batch of quality checks never delays securing the next outputs.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const service = {
    /**
     * `label` says how the image was made; without one (an import) the file keeps only the
     * DigitalSourceType it came with, if any: an AI image a seller imports stays marked as such.
     * Everything else (camera EXIF, GPS) is dropped before anything is stored or served.
     */
    async secure(raw: Buffer, input: { product: any; role: Role; name: string; label?: SourceLabel | null }): Promise<SecuredOutput> {
      const pipeline = getService(strapi, 'pipeline');
      const carried = input.label === undefined ? digitalSourceTypeOf(await xmpOf(raw).catch(() => undefined)) : null;
      const label = input.label ?? (carried ? { type: carried, generator: 'import' } : null);
      // Intake judges the bytes as they came (a polyglot, an animation, a flood are refused in its
      // words); what is stored is the relabelled copy, which never keeps anything behind the image.
      const intake = await pipeline.run('inspectOutput', [raw, pipeline.limits()], 'file', 'fast');
      const labelled = await labelFile(raw, label, pipeline.limits()).catch(() => null);
      // A readable file that could not be relabelled must not be stored with its camera metadata and without its mark.
      if (!labelled) throw unprocessable('The image could not be rewritten with its source label (and without its camera metadata), so it was not stored.');
      const format = labelled === raw ? intake.format : ((await sharp(labelled).metadata()).format as string);
      const file = await getService(strapi, 'media').storeImage({
        buffer: labelled,
        name: input.name,
        mime: MIME[format] ?? intake.mime,
        ext: EXT[format] ?? '.jpg',
        width: intake.width,
        height: intake.height,
        alt: altTextFor(input.product, input.role),
      });
      return { fileId: file.id, intake, bytes: labelled, sourceType: label?.type ?? null };
    },

    /** QC and renditions of a secured output; returns the fields its draft gets. */
    async check(
      fileId: number,
      input: { product: any; role: Role; spec: CandidateCheckSpec; bytes?: Buffer; sourceBytes?: Buffer }
    ): Promise<Record<string, unknown>> {
      const pipeline = getService(strapi, 'pipeline');
      const media = getService(strapi, 'media');
      const bytes = input.bytes ?? (await media.readFile(await media.findFile(fileId)));
      const reference = (input.product.reference ?? null) as ProductReference | null;
      // The mask a person confirmed is the product's outline on the source: compared as it is, not cut out again.
      const sourceMask = input.spec.sourceMask ?? (await getService(strapi, 'reference').confirmedMask(input.product));
      const check = await pipeline.run(
        'checkCandidate',
        [bytes, { ...input.spec, reference: reference?.fingerprint ?? null, sourceMask }, pipeline.limits(), input.sourceBytes],
        'file'
      );
      if (reference?.needsReview) {
        // The reference itself is in doubt: whatever the measures say, they compared against a
        // cutout nobody trusts yet, so a person decides.
        const reasons = reference.cutout.reasons.map((r: any) => r.message ?? r.code ?? r).join('; ');
        check.checks.push({
          id: 'source.cutout',
          status: 'unverified',
          value: reference.cutout.confidence,
          threshold: CUTOUT_REVIEW_THRESHOLD,
          message: `The source photo's product cutout is uncertain (${reasons || 'the product does not stand out clearly'}; confidence ${Number(reference.cutout.confidence).toFixed(2)}, minimum ${CUTOUT_REVIEW_THRESHOLD}), so this image could not be checked against a trusted reference: a person must compare it with the source by eye.`,
        });
        check.qcStatus = summarizeQc(check.checks);
      }
      const delivered = await pipeline.run('deliverAsset', [bytes]);
      const file = await media.addRenditions(
        fileId,
        delivered.renditions.map((r: Delivered['renditions'][number]) => ({
          key: `pg_${r.format}_${r.width}`,
          buffer: Buffer.from(r.buffer),
          width: r.width,
          height: r.height,
          format: r.format,
          mime: r.mime,
        }))
      );
      const renditions = Object.entries(file.formats ?? {}).map(([key, f]: [string, any]) => ({
        key,
        url: f.url,
        width: f.width,
        height: f.height,
        format: key.split('_')[1],
        mime: f.mime,
        bytes: f.sizeInBytes,
      }));
      return {
        file: fileId,
        width: check.intake.width,
        height: check.intake.height,
        alt: file.alternativeText ?? altTextFor(input.product, input.role),
        focalPoint: delivered.focalPoint,
        placeholder: delivered.thumbhash,
        renditions,
        qc: check.checks,
        qcStatus: check.qcStatus,
      };
    },

    /** Both stages at once (an import: the editor waits for its QC). */
    async checkAndStore(
      bytes: Buffer,
      input: { product: any; role: Role; spec: CandidateCheckSpec; name: string; sourceBytes?: Buffer }
    ): Promise<Record<string, unknown>> {
      const secured = await service.secure(bytes, input);
      return { ...(await service.check(secured.fileId, { ...input, bytes: secured.bytes })), sourceType: secured.sourceType };
    },

    /**
     * An image made elsewhere, as a candidate for a role: same intake, QC and review as a generated
     * one. It never replaces anything by itself: it joins the role's candidates as a draft, and the
     * answer says where the image breaks the role's rules and which image fills the role's slot.
     */
    async importImage(
      input: { productDocumentId: string; role: string; file: { filepath: string; originalFilename?: string | null; size?: number } },
      actor: Actor
    ): Promise<{ asset: any; warnings: RoleRuleWarning[]; candidates: RoleCandidates }> {
      if (!ROLES.includes(input.role as Role)) {
        throw new errors.ValidationError(`role: must be one of ${ROLES.join(', ')}`, {
          errors: [{ path: ['role'], message: `must be one of ${ROLES.join(', ')}`, name: 'ValidationError' }],
        });
      }
      const role = input.role as Role;
      const product = await getService(strapi, 'products').get(input.productDocumentId);
      const briefs = getService(strapi, 'briefs');
      const brief = await briefs.effectiveFor(product);
      const spec = briefs.roleSpec(brief, role);
      const pipeline = getService(strapi, 'pipeline');
      // Measured on disk before it is read: an oversized upload never enters memory.
      pipeline.assertSize((await fs.stat(input.file.filepath)).size, 'file');
      const fields = await pipeline.admit(async () =>
        service.checkAndStore(await fs.readFile(input.file.filepath), {
          product,
          role,
          spec: { role, aspectRatio: spec?.aspectRatio, minLongEdge: spec?.minLongEdge },
          name: `${product.sku}-${role}-import`,
        })
      );
      const asset = await getService(strapi, 'workflow').create(
        {
          productId: product.id,
          role,
          status: 'draft',
          data: {
            ...fields,
            provenance: {
              generator: 'import',
              originalFilename: input.file.originalFilename ?? null,
              sourceHash: (product.reference as ProductReference | null)?.intake?.sha256 ?? null,
              briefId: brief?.documentId ?? null,
              briefVersion: brief?.version ?? null,
              importedBy: actor.kind === 'admin' ? actor.email : null,
            },
          },
        },
        actor
      );
      const siblings = await strapi.db.query(UID.asset).findMany({
        where: { product: product.id, role },
        select: ['documentId', 'role', 'status'],
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      });
      const slots = briefs.slotPlanOf(brief).filter((s: { roles: Role[] }) => s.roles.includes(role)).map((s: { slot: any }) => s.slot);
      return {
        asset,
        warnings: roleRuleWarnings({ width: Number(fields.width), height: Number(fields.height) }, role, spec),
        candidates: roleCandidates(role, slots, siblings, asset.documentId),
      };
    },
  };
  return service;
};

