import type { Core } from '@strapi/strapi';
import type services from '../services';
import { configSchema, type PluginConfig } from '../config';

type Services = typeof services;
export type ServiceName = keyof Services;
export type ServiceOf<N extends ServiceName> = ReturnType<Services[N]>;

/** The one typed way to reach a plugin service. */
export const getService = <N extends ServiceName>(strapi: Core.Strapi, name: N): ServiceOf<N> =>
  strapi.plugin('product-gallery').service(name) as ServiceOf<N>;

const parsed = new WeakMap<object, PluginConfig>();
const EMPTY = {};

/**
 * The plugin config with every default filled in (Strapi merges only the top level). Parsed once
 * per config object: it is read on every stage of every generation, and a zod parse of the whole
 * tree each time was a visible share of the dispatcher's CPU.
 */
export const getConfig = (strapi: Core.Strapi): PluginConfig => {
  const raw = (strapi.config.get('plugin::product-gallery') as object | undefined) ?? EMPTY;
  let config = parsed.get(raw);
  if (!config) parsed.set(raw, (config = configSchema.parse(raw)));
  return config;
};
