import type { Core } from '@strapi/strapi';
import type services from '../services';
import { configSchema, type PluginConfig } from '../config';

type Services = typeof services;
export type ServiceName = keyof Services;
export type ServiceOf<N extends ServiceName> = ReturnType<Services[N]>;

/** The one typed way to reach a plugin service. */
export const getService = <N extends ServiceName>(strapi: Core.Strapi, name: N): ServiceOf<N> =>
  strapi.plugin('product-gallery').service(name) as ServiceOf<N>;

/** The plugin config with every default filled in (Strapi merges only the top level). */
export const getConfig = (strapi: Core.Strapi): PluginConfig =>
  configSchema.parse(strapi.config.get('plugin::product-gallery') ?? {});
