/**
 * The response shapes of the admin API: the server's contracts (shared/contracts), read as they
 * are sent. Only the channel preview is still declared here.
 */
import type { Channel, Role } from '../utils/vocabulary';
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

/** The slot states in the overview legend's order (their type is the contract's SlotState). */
export const CELL_STATES: readonly SlotState[] = ['published', 'approved', 'in_review', 'draft', 'generating', 'failed', 'missing'];

/** A rule or a broken rule, with the values its translated wording needs (server: pipeline/channel-rules.ts). */
export interface ChannelRuleText {
  text: string;
  values: Record<string, string | number>;
}

export interface ChannelRule extends ChannelRuleText {
  id: string;
}

export interface ChannelRuleBreak extends ChannelRuleText {
  rule: string;
  level: 'fail' | 'warn';
}

export interface ChannelFile {
  name: string;
  position: number;
  slots: string[];
  role: Role;
  asset: string;
  preset: string;
  label: string;
  format: string;
  mime: string;
  width: number;
  height: number;
  bytes: number;
  upscaled: boolean;
  framing: 'crop' | 'pad' | 'fit';
  notes: string[];
  breaks: ChannelRuleBreak[];
  preview: string | null;
}

export interface ChannelPreview {
  channel: Channel;
  notes: string[];
  presets: { id: string; label: string; rules: ChannelRule[] }[];
  files: ChannelFile[];
}
