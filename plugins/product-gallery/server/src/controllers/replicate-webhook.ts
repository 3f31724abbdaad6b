import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { getConfig, getService } from '../utils/get-service';
import { isReplicateError, tagFromWebhookUrl, verifyWebhook } from '../replicate';
import { UID } from '../domain/vocabulary';
import { httpStatusError } from '../utils/errors';

/**
 * Replicate's completion webhook. Verified (HMAC, constant-time, 5-minute tolerance) against the
 * raw body; duplicate and out-of-order deliveries are harmless because the asset is only moved
 * by compare-and-set from `generating`, and a non-terminal delivery only wakes the dispatcher.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => ({
  async receive(ctx: any) {
    const secret = getService(strapi, 'webhookSecret').secret();
    if (!secret) throw new errors.NotFoundError('Webhooks are not configured.');
    const raw = ctx.request.body?.[Symbol.for('unparsedBody')] ?? ctx.request.rawBody;
    if (typeof raw !== 'string') throw new errors.ValidationError('body: a raw JSON body is required.');
    let prediction: any;
    try {
      ({ prediction } = verifyWebhook({ headers: ctx.request.headers, rawBody: raw, secret }));
    } catch (error) {
      // Strapi turns UnauthorizedError into a bare 401; the sender should see why.
      if (isReplicateError(error)) throw httpStatusError(401, (error as Error).message);
      throw error;
    }
    const tag = ctx.query.gen ?? tagFromWebhookUrl(prediction.webhook ?? '');
    const asset = tag ? await strapi.db.query(UID.asset).findOne({ where: { generationTag: tag }, select: ['id', 'documentId', 'status', 'predictionId'] }) : null;
    if (asset && asset.status === 'generating') {
      if (!asset.predictionId) {
        await strapi.db.query(UID.asset).updateMany({ where: { id: asset.id, predictionId: null }, data: { predictionId: prediction.id } });
      }
      // Expire the parking lease so the next sweep finishes it here or on any instance. Only a
      // parked asset (no owner): one a dispatcher is working on must not be taken twice.
      if (['succeeded', 'failed', 'canceled', 'aborted'].includes(prediction.status)) {
        await strapi.db.query(UID.asset).updateMany({ where: { id: asset.id, leaseOwner: null }, data: { leaseUntil: null, nextAttemptAt: null } });
        getService(strapi, 'dispatch').kick();
      }
    }
    ctx.status = 204;
  },
});
