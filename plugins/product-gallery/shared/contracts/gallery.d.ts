/**
 * The storefront's gallery: GET /api/product-gallery/galleries/:slug (in `data`) and
 * GET /api/product-gallery/galleries?slugs= (server: domain/gallery-shape.ts shapes it, services/gallery.ts serves it).
 */
import type { Role, Slot } from './vocabulary';

export interface GallerySource {
  url: string;
  width: number | null;
  height: number | null;
  format: string;
}

export interface GalleryImage {
  url: string;
  width: number | null;
  height: number | null;
  mime: string | null;
  alt: string;
  focalPoint: { x: number; y: number } | null;
  thumbhash: string | null;
  /** A generator made or edited this image: label it as AI-generated. */
  aiGenerated: boolean;
  /** The file's IPTC DigitalSourceType, or null when nothing is known. */
  digitalSourceType: string | null;
  /** Our compositor's piece on a drawn scene, not a photograph. */
  scenePreview: boolean;
  sources: GallerySource[];
}

export interface GallerySlot {
  slot: Slot;
  role: Role;
  image: GalleryImage;
}

export interface Gallery {
  product: { documentId: string; slug: string; sku: string; title: string; category: string };
  slots: GallerySlot[];
  updatedAt: string;
}
