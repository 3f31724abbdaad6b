/** GET /config: what the plugin's server is configured with (server: controllers/generation.ts settings). */
import type { Channel } from './vocabulary';

/** What intake refuses before any check runs (server: pipeline/intake.ts, config pipeline). */
export interface IntakeLimits {
  types: { label: string; mime: string }[];
  maxBytes: number;
  maxPixels: number;
  minShortSide: number;
}

export interface PluginConfig {
  replicateConfigured: boolean;
  webhooksConfigured: boolean;
  queue: 'redis' | 'database';
  channels: Channel[];
  intake: IntakeLimits;
}
