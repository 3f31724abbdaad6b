import type { Core } from '@strapi/strapi';
import { UID } from '../../domain/vocabulary';
import { getConfig, getService } from '../../utils/get-service';
import { endpointsOf, isMomentary } from '../../utils/unavailable';

export const SYSTEM = { kind: 'system', name: 'dispatcher' } as const;
export const LEASE_MS = 60_000;

/**
 * Thrown (and used as the abort reason) when this process no longer holds an asset's lease: it
 * lapsed, or another dispatcher took it. The holder stops where it is and writes nothing more;
 * whoever holds the lease now finishes the work.
 */
export class LeaseLost extends Error {
  constructor(readonly documentId: string) {
    super(`the lease on ${documentId} was lost: another dispatcher has it`);
  }
}

export const isLeaseLost = (error: unknown): error is LeaseLost => error instanceof LeaseLost;

/**
 * Who works on an asset: claimed by compare-and-set on its version, held under a lease this
 * process renews, given up between stages. A process that dies leaves a lease that lapses.
 * Every write a holder makes is conditioned on still owning the row (`leaseOwner`); a write that
 * matches nothing means the lease is gone, and the holder stops rather than overwrite the new one.
 */
export function createLease(strapi: Core.Strapi, owner: string) {
  const assets = () => strapi.db.query(UID.asset);
  const endpoints = endpointsOf(strapi);

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
      } catch (error) {
        // Lost to another claim (a conflict): not ours. A database out of reach says nothing of
        // the sort: the job must fail, so the queue offers it again, instead of completing unclaimed.
        if (isMomentary(error, endpoints)) throw error;
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
    const parked = asset.leaseOwner === null && Boolean(asset.leaseUntil) && Boolean(asset.predictionId);
    const deadline = asset.predictionIntentAt ? new Date(asset.predictionIntentAt).getTime() + getConfig(strapi).replicate.deadlineMs : 0;
    // The row is the one read, moved by this compare-and-set: no need to read it again.
    return {
      ...asset,
      leaseUntil,
      leaseOwner: owner,
      version: asset.version + 1,
      // Parked for a webhook that never came, and the prediction's time is up: poll from here on.
      // Parked and still within it: the prediction is read once, and parked again if still running.
      resumedAfterDeadline: parked && Date.now() >= deadline,
    };
  };

  /** Extends the lease; false when this process no longer holds it. */
  const extend = async (asset: { id: number }) => {
    const { count } = await assets().updateMany({
      where: { id: asset.id, leaseOwner: owner, status: 'generating' },
      data: { leaseUntil: new Date(Date.now() + LEASE_MS) },
    });
    return count === 1;
  };

  /** Before a step with effects outside the row (storing a file): throws LeaseLost unless the lease is still ours. */
  const confirm = async (asset: { id: number; documentId: string }) => {
    if (!(await extend(asset))) throw new LeaseLost(asset.documentId);
  };

  /**
   * Renews the lease while a stage runs. A renewal that finds the lease taken aborts `controller`
   * with LeaseLost, so the stage stops; one that fails (the database unreachable) keeps trying
   * until the lease would have lapsed, then aborts too, since another process may claim it then.
   */
  const renew = (asset: { id: number; documentId: string }, controller: AbortController) => {
    let heldUntil = Date.now() + LEASE_MS;
    const timer = setInterval(() => {
      extend(asset).then(
        (held) => {
          if (held) heldUntil = Date.now() + LEASE_MS;
          else controller.abort(new LeaseLost(asset.documentId));
        },
        () => {
          if (Date.now() + LEASE_MS / 3 >= heldUntil) controller.abort(new LeaseLost(asset.documentId));
        }
      );
    }, LEASE_MS / 3);
    return timer;
  };

  /** Marks the asset failed, if this process still holds it. */
  const finishFailed = async (asset: any, message: string) => {
    const current = await loadAsset(asset.documentId);
    if (!current || current.status !== 'generating' || current.leaseOwner !== owner) return;
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

  /**
   * Writes `data` on the asset only while this process holds it; throws LeaseLost when it does
   * not. `release` also gives the lease up (the next stage claims the asset again, on any instance).
   */
  const write = async (asset: { id: number; documentId: string }, data: Record<string, unknown>, { release = false } = {}) => {
    const { count } = await assets().updateMany({
      where: { id: asset.id, leaseOwner: owner, status: 'generating' },
      data: release ? { ...data, leaseOwner: null, leaseUntil: null } : data,
    });
    if (count !== 1) throw new LeaseLost(asset.documentId);
  };

  const release = (asset: { id: number; documentId: string }, data: Record<string, unknown> = {}) => write(asset, data, { release: true });

  return { owner, loadAsset, claim, confirm, renew, write, release, finishFailed };
}

export type Lease = ReturnType<typeof createLease>;
