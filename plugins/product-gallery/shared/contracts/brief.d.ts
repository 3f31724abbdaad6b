/** Briefs: GET/PUT /briefs/:documentId, GET /briefs, POST /briefs/:documentId/clone (server: services/briefs.ts). */
import type { Category, Role, Slot } from './vocabulary';

export type Generator = 'auto' | 'local' | 'replicate';

export interface RoleSpec {
  role: Role;
  required: boolean;
  aspectRatio: string;
  minLongEdge: number;
  generator: Generator;
  model?: string | null;
  promptTemplate?: string | null;
  negativePrompt?: string | null;
  scene?: string | null;
  style?: string | null;
  fill?: number | null;
  sceneAnchor?: { x: number; y: number } | null;
  sceneAngle?: number | null;
  scenePxPerMm?: number | null;
  /** An editor's own scene photo (Media Library file). */
  sceneImage?: { id: number; url: string; mime?: string } | null;
  /**
   * Whether a scene preview (the local compositor's drawn scene, not a photo) may fill the page
   * and count toward a ready gallery. Off by default: an editor's own scene photo always counts.
   */
  allowScenePreviews?: boolean | null;
}

export interface SlotRule {
  slot: Slot;
  roles: Role[];
}

export interface Brief {
  id: number;
  documentId: string;
  name: string;
  categories: Category[] | null;
  roles: RoleSpec[];
  slotPlan: SlotRule[];
  version: number;
}

/** POST /briefs/:documentId/preview (in `data`): what a role's templates render to for one product. */
export interface RenderedPrompt {
  role: Role;
  prompt: string;
  negativePrompt: string;
  /** Placeholders the templates name that no product field fills. */
  unknownPlaceholders: string[];
}
