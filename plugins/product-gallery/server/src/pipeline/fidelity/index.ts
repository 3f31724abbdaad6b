/** Fidelity: does an image still show the same product as its source photo? */
export { FIDELITY_THRESHOLDS, FIDELITY_COLOR_FAIL_DE, FIDELITY_SCALE_FAIL, REGION_LIMITS } from './limits';
export { grade, worst, unverified, type FidelityCheckId } from './verdict';
export { alignShape, outlineDistance, structureMetrics, structureCheck, type AlignedShape, type StructureMetrics } from './structure';
export { colorCheck } from './color';
export { sharpnessCheck } from './sharpness';
export { scaleCheck, type ScaleExpectation } from './scale';
export { ANALYSIS_LONG_SIDE, checkFidelity, type FidelityOptions } from './product';
export { compareRegion } from './region';
export { cropRaw, clampBox } from '../raw-image';
export { fidelityChecks, needsSourcePixels, sourceMaskFor, NO_REFERENCE_MESSAGE, type CandidateCheckSpec } from './checks';
