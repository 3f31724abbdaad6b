import type { Core } from '@strapi/strapi';
import { getConfig, getService } from '../utils/get-service';
import { registerPermissionActions, grantDefaultRolePermissions, grantPublicGalleryAccess } from './permissions-setup';
import { lockContentManagerFields, refuseDraftActionsOverHttp } from './write-ownership';
import { guardUsedFiles } from './file-guards';
import { limitUploadPixels } from './upload-limits';
import { registerReadModelHooks } from './read-model-hooks';
import { registerErrorHeaders } from '../middlewares/error-headers';
import { registerUploadCleanup } from '../middlewares/upload-cleanup';
import { registerStorefrontFastPath } from '../middlewares/storefront-fast-path';

export default async ({ strapi }: { strapi: Core.Strapi }) => {
  // Strapi's own middlewares (errors, body) are in place by now; these run inside them, before the router.
  registerErrorHeaders(strapi);
  registerUploadCleanup(strapi);
  // Before the router (mounted after bootstrap): the Content Manager's draft actions answer 4xx, not 500.
  refuseDraftActionsOverHttp(strapi);
  // Last of the plugin's server middlewares, right before the router: inside the error headers.
  registerStorefrontFastPath(strapi);
  guardUsedFiles(strapi);
  limitUploadPixels(strapi);
  await lockContentManagerFields(strapi);
  await registerPermissionActions(strapi);
  await grantDefaultRolePermissions(strapi);
  await grantPublicGalleryAccess(strapi);
  // Hooks before anything writes (the default briefs decide plans), then the rows a database from
  // before the read model, or from another shape of it, is missing.
  registerReadModelHooks(strapi);
  await getService(strapi, 'briefs').seedDefaults();
  await getService(strapi, 'gallerySnapshots').backfill();
  getService(strapi, 'events').registerWebhookEvents();
  await getService(strapi, 'webhookSecret').ensure();
  if (getConfig(strapi).dispatch.worker) await getService(strapi, 'dispatch').start();
};
