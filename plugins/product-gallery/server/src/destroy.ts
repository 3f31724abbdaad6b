import type { Core } from '@strapi/strapi';
import { getService } from './utils/get-service';

export default async ({ strapi }: { strapi: Core.Strapi }) => {
  await getService(strapi, 'dispatch').stop();
  await getService(strapi, 'pipeline').destroy();
  getService(strapi, 'limits').close();
};
