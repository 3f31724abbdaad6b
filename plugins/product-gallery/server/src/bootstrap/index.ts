import type { Core } from '@strapi/strapi';
import { getConfig, getService } from '../utils/get-service';
import { registerPermissionActions, grantDefaultRolePermissions, grantPublicGalleryAccess } from './permissions-setup';
import { lockContentManagerFields, refuseDraftActionsOverHttp } from './write-ownership';
import { guardUsedFiles } from './file-guards';
import { limitUploadPixels } from './upload-limits';
import { registerErrorHeaders } from '../middlewares/error-headers';
import { registerUploadCleanup } from '../middlewares/upload-cleanup';

export default async ({ strapi }: { strapi: Core.Strapi }) => {
  // Strapi's own middlewares (errors, body) are in place by now; these run inside them, before the router.
  registerErrorHeaders(strapi);
  registerUploadCleanup(strapi);
  // Before the router (mounted after bootstrap): the Content Manager's draft actions answer 4xx, not 500.
  refuseDraftActionsOverHttp(strapi);
  guardUsedFiles(strapi);
  limitUploadPixels(strapi);
  await lockContentManagerFields(strapi);
  await registerPermissionActions(strapi);
  await grantDefaultRolePermissions(strapi);
  await grantPublicGalleryAccess(strapi);
  await getService(strapi, 'briefs').seedDefaults();
  getService(strapi, 'events').registerWebhookEvents();
  await getService(strapi, 'webhookSecret').ensure();
  if (getConfig(strapi).dispatch.worker) await getService(strapi, 'dispatch').start();
};
