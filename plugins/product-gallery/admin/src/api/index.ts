/**
 * The plugin's one admin API client: every request to /product-gallery goes through these modules
 * (client, keys, one per resource) and react-query (server state).
 */
export { useNotifyError } from './client';
export { keys, type ProductFilters, type AssetFilters } from './keys';
export * from './types';
export * from './products';
export * from './assets';
export * from './briefs';
export * from './config';
export * from './gallery';
export * from './reference';
