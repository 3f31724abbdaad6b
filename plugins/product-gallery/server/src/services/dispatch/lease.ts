import type { Core } from '@strapi/strapi';
import { UID } from '../../domain/vocabulary';
import { getService } from '../../utils/get-service';

export const SYSTEM = { kind: 'system', name: 'dispatcher' } as const;
export const LEASE_MS = 60_000;

/**
 * Who works on an asset: claimed by compare-and-set on its version, held under a lease this
 * process renews, given up between stages. A process that dies leaves a lease that lapses.
 */
export function createLease(strapi: Core.Strapi, owner: string) {
  const assets = () => strapi.db.query(UID.asset);

  const loadAsset = (documentId: string) =>
    assets().findOne({ where: { documentId }, populate: { file: { select: ['id'] }, product: { select: ['id', 'documentId', 'slug'] } } });

  /** Take the asset for this process; false when someone else has it or it is not due. */
  const claim = async (documentId: string): Promise<any | null> => {
    const asset = await loadAsset(documentId);
    if (!asset) return null;
    const leaseUntil = new Date(Date.now() + LEASE_MS);
    if (asset.status === 'queued') {
      try {
        return await getService(strapi, 'workflow').transition({
          documentId,
          to: 'generating',
          version: asset.version,
          actor: SYSTEM,
          patch: { leaseUntil, leaseOwner: owner, error: null },
          current: asset,
        });
      } catch {
        return null;
      }
    }
    if (asset.status !== 'generating') return null;
    if (asset.leaseUntil && new Date(asset.leaseUntil).getTime() > Date.now()) return null;
    if (asset.nextAttemptAt && new Date(asset.nextAttemptAt).getTime() > Date.now()) return null;
    const { count } = await assets().updateMany({
      where: { id: asset.id, version: asset.version, status: 'generating' },
      data: { leaseUntil, leaseOwner: owner, version: asset.version + 1 },
    });
    if (count !== 1) return null;
    // The row is the one read, moved by this compare-and-set: no need to read it again.
    return {
      ...asset,
      leaseUntil,
      leaseOwner: owner,
      version: asset.version + 1,
      // Parked for a webhook that never came: poll from here on.
      resumedAfterDeadline: asset.leaseOwner === null && Boolean(asset.leaseUntil) && Boolean(asset.predictionId),
    };
  };

  const renewLease = (asset: any) =>
    setInterval(() => {
      assets()
        .updateMany({ where: { id: asset.id, leaseOwner: owner, status: 'generating' }, data: { leaseUntil: new Date(Date.now() + LEASE_MS) } })
        .catch(() => {});
    }, LEASE_MS / 3);

  const finishFailed = async (asset: any, message: string) => {
    const current = await loadAsset(asset.documentId);
    if (!current || current.status !== 'generating') return;
    await getService(strapi, 'workflow').transition({
      documentId: asset.documentId,
      to: 'failed',
      version: current.version,
      actor: SYSTEM,
      note: message,
      patch: { error: message, leaseUntil: null, leaseOwner: null },
      current,
    });
  };

  /** The lease is given up between stages: the next stage claims the asset again (any instance). */
  const release = (asset: any, data: Record<string, unknown> = {}) =>
    assets().updateMany({ where: { id: asset.id, leaseOwner: owner }, data: { ...data, leaseOwner: null, leaseUntil: null } });

  return { owner, loadAsset, claim, renew: renewLease, release, finishFailed };
}

export type Lease = ReturnType<typeof createLease>;
