/**
 * The image pipeline's public surface: a plain TypeScript library (no Strapi), used by the plugin
 * through its worker pool (services/pipeline.ts, typed by tasks.ts) and by the benchmarks, the
 * fidelity suite and the pipeline tests. Named exports only, so what leaves the library is chosen
 * here and a module's helpers stay its own.
 */

// Tasks the worker runs by name (worker.ts PIPELINE_TASKS): each must be exported here.
export { intake } from './intake';
export { cutout } from './cutout';
export { fingerprint } from './fingerprint';
export { renderClean, renderDetail } from './shots';
export { technicalQc } from './qc-technical';
export { checkFidelity } from './fidelity/product';
export { deliveryPack } from './delivery';
export { renditions } from './renditions';
export { channelRenditions } from './channels';
export { productBox } from './product-box';
export { decodeOnce } from './decode';
export { analyzeSource, makeLocalShot, inspectOutput, checkCandidate, deliverAsset, refineSource, type LocalShot, type SourceAnalysis } from './jobs';
export { differenceMap, type DifferenceMap } from './fidelity/difference-map';

// The plugin's seam: the pool, its errors, the check type.
export { createPipelinePool, type PipelinePool } from './pool';
export { PipelineError, isPipelineError } from './errors';
export { summarizeQc, type QcCheck, type QcStatus } from './qc';

// Building blocks the benchmarks, the fidelity suite and the pipeline tests drive directly.
export { INTAKE_DEFAULTS } from './intake';
export { CUTOUT_REVIEW_THRESHOLD, type CutoutResult } from './cutout/types';
export { backgroundRgbAt } from './cutout/background';
export { refineMask, type RefineStroke } from './cutout/refine';
export { decodeMaskPng } from './jobs';
export { NO_REFERENCE_MESSAGE, fidelityChecks } from './fidelity/checks';
export { ANALYSIS_LONG_SIDE } from './fidelity/product';
export { GRID, hammingHex } from './fingerprint';
export { components } from './morphology';
export { downscaleRgba, resizePlaneBilinear, type RawImage } from './raw-image';
export { composeOnScene } from './composite';
export { compositeOnWhite } from './shots';
export { type Scene } from './scenes';
