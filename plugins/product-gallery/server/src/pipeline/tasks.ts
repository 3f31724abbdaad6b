/**
 * The seam between the plugin and its image pipeline: each task's name tied to the function the
 * worker runs for it, so a caller's arguments and result are checked against that function's
 * own signature (a renamed task or a changed result type fails to compile, not at run time).
 */
import type * as Pipeline from './index';
import type { PipelineTaskName } from './worker';

export type PipelineTasks = { [K in PipelineTaskName]: (typeof Pipeline)[K] };
export type TaskArgs<K extends PipelineTaskName> = Parameters<PipelineTasks[K]>;
export type TaskResult<K extends PipelineTaskName> = Awaited<ReturnType<PipelineTasks[K]>>;
