import type { Core } from '@strapi/strapi';

/**
 * Sends the headers an error carries (`headers`, the http-errors convention Koa's own error
 * handler honours), such as a 503's Retry-After. Strapi's error middleware builds the answer's
 * status and body but drops them. For every route: a product saved in the Content Manager is
 * analysed in the plugin's document middleware and can be refused there too.
 */
export const registerErrorHeaders = (strapi: Core.Strapi) => {
  strapi.server.use(async (ctx: any, next: () => Promise<unknown>) => {
    try {
      await next();
    } catch (error) {
      const headers = (error as { headers?: unknown } | null)?.headers;
      if (headers && typeof headers === 'object') ctx.set(headers as Record<string, string>);
      throw error;
    }
  });
};
