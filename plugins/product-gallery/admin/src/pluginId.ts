export const PLUGIN_ID = 'product-gallery';
