import type { Move } from '../api';
import type { AssetStatus } from './vocabulary';

/** Whether the server offers this editor the move: the buttons shown are exactly the permitted moves. */
export const permits = (moves: readonly Move[], to: AssetStatus) => moves.some((m) => m.to === to && m.permitted);
