import type { Core } from '@strapi/strapi';
import type controllers from '../controllers';

type Controllers = typeof controllers;
type ActionsOf<C> = C extends (...args: any[]) => infer R ? keyof R & string : never;

/** Every `controller.action` the plugin has: a route naming one that does not exist fails to compile. */
export type Handler = { [C in keyof Controllers & string]: `${C}.${ActionsOf<Controllers[C]>}` }[keyof Controllers & string];

/** A route whose handler is one of the plugin's own controller actions. */
export type PluginRoute = Omit<Core.RouteInput, 'handler'> & { handler: Handler };

/** Strapi's router input, with handlers checked against the plugin's controllers. */
export type PluginRouter = Omit<Core.RouterInput, 'routes'> & { routes: PluginRoute[] };
