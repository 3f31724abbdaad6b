export { ratioValue, nearestRatio } from './aspect';
export { BUILT_IN_MODELS, UnsupportedModelError, createModelRegistry, type ModelRegistry } from './registry';
export {
  INPUT_FORMATS,
  MODEL_KINDS,
  modelDescriptionSchema,
  type InputFormat,
  type ModelDescription,
  type ModelDescriptionInput,
  type ModelKind,
  type ModelRequest,
  type ModelRoute,
} from './types';
