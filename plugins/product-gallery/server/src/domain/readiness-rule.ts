/**
 * What may count toward a ready gallery. A scene preview (the local compositor's drawn hand,
 * neckline or tabletop with the product laid on it) shows scale to an editor but is not a
 * photograph a seller would publish as one, so it fills a slot only where the brief's role allows
 * scene previews. A composite on an editor's own scene photo is a real scene and always counts.
 */
import type { Role } from './vocabulary';

export const SCENE_PREVIEW_LABEL = 'scene preview';

/** A local composite on a drawn scene (provenance as generation records it, older records included). */
export const isScenePreview = (provenance: Record<string, any> | null | undefined): boolean => {
  if (!provenance) return false;
  if (typeof provenance.scenePreview === 'boolean') return provenance.scenePreview;
  return provenance.generator === 'local' && provenance.composite === true && provenance.scene !== 'custom';
};

export const countsTowardReadiness = (asset: { role: Role; provenance?: Record<string, any> | null }, rolesAllowingPreviews: readonly Role[]): boolean =>
  !isScenePreview(asset.provenance) || rolesAllowingPreviews.includes(asset.role);
