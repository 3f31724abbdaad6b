/**
 * Another take of a local composite: a regenerated model or lifestyle shot puts the piece a little
 * differently on its scene (where along the finger or neckline it rests, how it is turned), so
 * a rejected shot is not simply made again. The take is chosen from the regeneration number, so
 * the same number always gives the same picture, and consecutive numbers always differ.
 *
 * Only the position and the angle change: the scene's scale (px per mm) stays, so the piece keeps
 * its true size. An editor's own scene photo is placed where the editor said: it does not vary.
 */
import type { Scene } from './scenes';

/** Turns (degrees) and shifts (in millimetres at the scene's scale, along x and y) per take; take 0 is the template's own. */
const BODY_TAKES: ReadonlyArray<{ turn: number; dx: number; dy: number }> = [
  { turn: 0, dx: 0, dy: 0 },
  { turn: 7, dx: 0, dy: 4 },
  { turn: -7, dx: 0, dy: -3 },
  { turn: 12, dx: 2, dy: 2 },
  { turn: -12, dx: -2, dy: 5 },
  { turn: 4, dx: -1, dy: -5 },
];

/** An open surface leaves room to move: the piece is turned and moved further (fractions of the frame). */
const SURFACE_TAKES: ReadonlyArray<{ turn: number; fx: number; fy: number }> = [
  { turn: 0, fx: 0, fy: 0 },
  { turn: 25, fx: -0.08, fy: 0.05 },
  { turn: -20, fx: 0.08, fy: -0.04 },
  { turn: 40, fx: 0.05, fy: 0.08 },
  { turn: -35, fx: -0.06, fy: -0.07 },
  { turn: 12, fx: 0.1, fy: 0.02 },
];

/** Whether a scene gives another take when regenerated (an editor's scene photo does not). */
export const sceneVaries = (scene: Pick<Scene, 'kind'>) => scene.kind !== 'custom';

/** The scene for take `take` (0: as drawn). */
export function sceneTake(scene: Scene, take: number): Scene {
  const n = Math.max(0, Math.floor(take));
  if (!n || !sceneVaries(scene)) return scene;
  // Takes after the first cycle skip take 0, so take n never repeats take n - 1.
  const pick = <T,>(takes: ReadonlyArray<T>) => takes[1 + ((n - 1) % (takes.length - 1))]!;
  if (scene.kind === 'surface') {
    const t = pick(SURFACE_TAKES);
    return { ...scene, angle: scene.angle + t.turn, anchor: { x: scene.anchor.x + t.fx * scene.width, y: scene.anchor.y + t.fy * scene.height } };
  }
  const t = pick(BODY_TAKES);
  return { ...scene, angle: scene.angle + t.turn, anchor: { x: scene.anchor.x + t.dx * scene.pxPerMm, y: scene.anchor.y + t.dy * scene.pxPerMm } };
}
