import { ReplicateError } from './errors';

/**
 * The grammar of Replicate model names, checked wherever a name enters (a brief, the model
 * registry, the gateway building a URL). A model name becomes path segments of token-bearing API
 * requests (`/models/{owner}/{name}/predictions`): a segment of `..` or one carrying `/`, `%` or
 * `?` would send the token to another API path. Replicate's own names are letters, digits, `-`,
 * `_` and `.`; each segment here must also start with a letter or digit, so none is a dot segment.
 */
const SEGMENT = '[A-Za-z0-9][A-Za-z0-9._-]{0,99}';

/** `owner/name`. */
export const MODEL_NAME = new RegExp(`^${SEGMENT}/${SEGMENT}$`);
/** What the gateway sends as `version`: a version id, or `owner/name:` and one (hex, as Replicate's are). */
export const VERSION_REF = new RegExp(`^(${SEGMENT}/${SEGMENT}:)?[0-9a-f]{1,64}$`);
/** `owner/name` or `owner/name:version`, as a brief may name a model. */
export const MODEL_REF = new RegExp(`^${SEGMENT}/${SEGMENT}(:[0-9a-f]{64})?$`);

export const MODEL_NAME_RULE = 'must be a Replicate model such as owner/name (letters, digits, "-", "_" or "." in each part, each starting with a letter or digit)';

/** The API path of an official model, `/models/{owner}/{name}`, each part checked and encoded. */
export function modelPath(model: string): string {
  if (!MODEL_NAME.test(model)) throw new ReplicateError('invalid_input', `Invalid model name "${model}": ${MODEL_NAME_RULE}.`, { retryable: false });
  const [owner, name] = model.split('/') as [string, string];
  return `/models/${encodeURIComponent(owner)}/${encodeURIComponent(name)}`;
}
