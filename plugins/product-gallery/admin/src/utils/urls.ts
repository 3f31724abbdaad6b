declare global {
  interface Window {
    strapi: { backendURL: string; [key: string]: unknown };
  }
}

export const backendURL = () => (typeof window !== 'undefined' && window.strapi?.backendURL) || '';

/** Media Library urls are relative with the local provider and absolute with S3 & co. */
export const mediaUrl = (url?: string | null) => {
  if (!url) return undefined;
  if (/^(https?:)?\/\//i.test(url) || url.startsWith('data:') || url.startsWith('blob:')) return url;
  return `${backendURL()}${url.startsWith('/') ? '' : '/'}${url}`;
};

/** Paths inside the plugin's page (react-router, relative to /admin). */
export const paths = {
  root: '/plugins/product-gallery',
  product: (documentId: string) => `/plugins/product-gallery/products/${documentId}`,
  review: (assetId?: string) => `/plugins/product-gallery/review${assetId ? `/${assetId}` : ''}`,
  gallery: (documentId: string) => `/plugins/product-gallery/gallery/${documentId}`,
  briefs: '/plugins/product-gallery/briefs',
  brief: (documentId: string) => `/plugins/product-gallery/briefs/${documentId}`,
  /** The product's record (its dimensions, its source photo) in the Content Manager. */
  productRecord: (documentId: string) => `/content-manager/collection-types/plugin::product-gallery.product/${documentId}`,
};
