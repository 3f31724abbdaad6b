import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The plugin's own writes run inside this scope; the document guards refuse writes to image
 * assets, audit events and a product's computed fields from anywhere else (the Content Manager,
 * other plugins, app code), whatever the caller's role. The scope follows async continuations,
 * so a timer or a worker reply started from a plugin service is still the plugin.
 */
const scope = new AsyncLocalStorage<true>();

export const asPlugin = <T>(fn: () => T): T => scope.run(true, fn);

export const inPluginScope = () => scope.getStore() === true;

type Factory = (deps: any) => Record<string, unknown>;

/**
 * Every method of every plugin service runs as the plugin: a service is the plugin's own code,
 * whoever calls it (its controllers, the dispatcher, the webhook, another plugin asking it to act).
 */
export const trustServices = <S extends Record<string, Factory>>(services: S): S =>
  Object.fromEntries(
    Object.entries(services).map(([name, factory]) => [
      name,
      (deps: any) => {
        const service = factory(deps);
        for (const [key, value] of Object.entries(service)) {
          if (typeof value !== 'function') continue;
          (service as any)[key] = function (this: unknown, ...args: unknown[]) {
            return scope.run(true, () => (value as (...a: unknown[]) => unknown).apply(this, args));
          };
        }
        return service;
      },
    ])
  ) as S;
