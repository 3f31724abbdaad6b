import os from 'node:os';
import crypto from 'node:crypto';
import type { Core } from '@strapi/strapi';
import { UID } from '../../domain/vocabulary';
import { createLease } from './lease';
import { createScheduler } from './scheduler';

/**
 * The dispatcher: leases (lease.ts), the stages of a generation (stages.ts) and when and where
 * they run (scheduler.ts). What it is asked from outside: start, stop, kick, drain, progress.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const owner = `${os.hostname()}:${process.pid}:${crypto.randomBytes(3).toString('hex')}`;
  const scheduler = createScheduler(strapi, createLease(strapi, owner));
  const assets = () => strapi.db.query(UID.asset);

  return {
    ...scheduler,
    /** Per-asset status and per-batch counts, for the admin's progress view. */
    async progress(productDocumentId?: string) {
      const where: Record<string, unknown> = {};
      if (productDocumentId) where.product = { documentId: productDocumentId };
      const rows = await assets().findMany({
        where,
        select: ['documentId', 'role', 'status', 'version', 'error', 'attempts', 'updatedAt'],
        orderBy: { updatedAt: 'desc' },
        limit: 500,
      });
      const counts: Record<string, number> = {};
      for (const r of rows) counts[r.status] = (counts[r.status] ?? 0) + 1;
      return { counts, assets: rows };
    },
  };
};
