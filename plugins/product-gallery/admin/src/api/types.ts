/**
 * The response shapes of the admin API: the server's contracts (shared/contracts), read as they
 * are sent.
 */
import type { SlotState } from '../../../shared/contracts/vocabulary';

export type { Overview, OverviewCounts, OverviewRow, ProductReadiness, Readiness, ReadinessSummary, RoleReadiness, SlotReadiness } from '../../../shared/contracts/readiness';
export type { Brief, RenderedPrompt, RoleSpec, SlotRule } from '../../../shared/contracts/brief';
export type { IntakeLimits, PluginConfig } from '../../../shared/contracts/config';
export type { SlotState as CellState } from '../../../shared/contracts/vocabulary';
export type {
  AssetList,
  AssetListItem,
  AssetReview,
  AssetUpdateResult,
  AssetView,
  AuditEvent,
  EventActor,
  FileView,
  Move,
  QcCheck,
  QcView,
  TransitionResult,
} from '../../../shared/contracts/assets';
export type { GenerateResult, ImportResult, Plan, PlannedShot, RoleCandidates, RoleRuleWarning, Workspace } from '../../../shared/contracts/workspace';
export type { AiMask, ConfirmedMask, ConfirmResult, ReferenceView, RefinePreview, RefineStroke, SecondOpinion } from '../../../shared/contracts/reference';
export type { Gallery, GalleryImage, GallerySlot, GallerySource } from '../../../shared/contracts/gallery';
export type { ChannelPreview, ChannelPreviewFile, ChannelRule, ChannelRuleBreak } from '../../../shared/contracts/channel-preview';

/** The slot states in the overview legend's order (their type is the contract's SlotState). */
export const CELL_STATES: readonly SlotState[] = ['published', 'approved', 'in_review', 'draft', 'generating', 'failed', 'missing'];
