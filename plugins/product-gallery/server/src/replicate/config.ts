/**
 * The gateway's defaults. The plugin's configuration (server/src/config) is the one schema that
 * validates what an operator sets; these apply when the gateway is used as a library without it.
 */
export const DEFAULT_BASE_URL = 'https://api.replicate.com/v1';
export const DEFAULT_ALLOWED_OUTPUT_HOSTS: readonly string[] = ['replicate.delivery', '*.replicate.delivery'];
