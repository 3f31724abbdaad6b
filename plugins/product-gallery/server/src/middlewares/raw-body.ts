import type { Core } from '@strapi/strapi';

type Entry = string | { name?: string; config?: Record<string, unknown> };

/**
 * Replicate signs a webhook's exact bytes, so its route needs the raw body beside the parsed one:
 * Strapi's body parser keeps it only with `includeUnparsed: true`, which a new app does not set.
 * Turned on here, in register (before Strapi builds its middleware stack), so a host app need not
 * know; whatever else the host configured for the parser is kept.
 */
export const registerRawBody = (strapi: Core.Strapi) => {
  const configured = strapi.config.get('middlewares') as Entry[] | undefined;
  if (!Array.isArray(configured)) return;
  const nameOf = (m: Entry) => (typeof m === 'string' ? m : m.name);
  const index = configured.findIndex((m) => nameOf(m) === 'strapi::body');
  if (index < 0) return;
  const entry = configured[index];
  const current = typeof entry === 'string' ? {} : entry;
  if (current.config?.includeUnparsed === true) return;
  const updated = { ...current, name: 'strapi::body', config: { ...current.config, includeUnparsed: true } };
  strapi.config.set('middlewares', [...configured.slice(0, index), updated, ...configured.slice(index + 1)]);
};
