import type { Core } from '@strapi/strapi';
import { getConfig, getService } from './utils/get-service';
import { registerPermissionActions, grantDefaultRolePermissions, grantPublicGalleryAccess } from './services/permissions-setup';

export default async ({ strapi }: { strapi: Core.Strapi }) => {
  await registerPermissionActions(strapi);
  await grantDefaultRolePermissions(strapi);
  await grantPublicGalleryAccess(strapi);
  await getService(strapi, 'briefs').seedDefaults();
  getService(strapi, 'events').registerWebhookEvents();
  await getService(strapi, 'gallery').ensureIndexes();
  if (getConfig(strapi).dispatch.worker) await getService(strapi, 'dispatch').start();
};
