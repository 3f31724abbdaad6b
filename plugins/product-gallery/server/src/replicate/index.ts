export type {
  Clock,
  FetchLike,
  ModelRef,
  Prediction,
  PredictionPage,
  PredictionStatus,
  PredictionUrls,
  ReplicateFile,
  WebhookEventType,
} from './types';
export {
  ReplicateError,
  errorFromResponse,
  isReplicateError,
  registerSecret,
  scrubSecrets,
  type InvalidField,
  type ProblemBody,
  type ReplicateErrorCode,
  type ReplicateErrorOptions,
} from './errors';
export { TERMINAL_STATUSES, isNewerState, isTerminalStatus } from './status';
export { DEFAULT_RETRY_POLICY, fullJitterDelay, parseRetryAfter, realSleep, systemClock, type RetryPolicy } from './backoff';
export { DEFAULT_ALLOWED_OUTPUT_HOSTS, DEFAULT_BASE_URL } from './config';
export { createHttpClient, retryDelayFor, type HttpClient, type HttpClientOptions, type HttpEvent, type RequestOptions } from './http';
export {
  DEFAULT_MAX_OUTPUT_BYTES,
  assertAllowedOutputUrl,
  downloadOutput,
  forbiddenRange,
  type DownloadOptions,
  type DownloadedOutput,
  type ResolveHost,
  type ResolvedAddress,
} from './download';
export {
  signWebhook,
  tagFromWebhookUrl,
  verifyWebhook,
  webhookSecretKey,
  webhookUrlWithTag,
  type HeaderBag,
  type VerifiedWebhook,
  type VerifyWebhookOptions,
} from './webhook';
export { DATA_URI_MAX_BYTES, canonicalJson, inputHash, inputsEqual, toDataUri } from './input';
export {
  createReplicateGateway,
  hasUsableOutput,
  outputUrls,
  predictionError,
  type CreatePredictionParams,
  type CreatedPrediction,
  type CreationRecord,
  type FindMatch,
  type GatewayEvent,
  type GatewayOptions,
  type ListOptions,
  type ReplicateGateway,
  type UploadOptions,
  type WaitOptions,
} from './gateway';
