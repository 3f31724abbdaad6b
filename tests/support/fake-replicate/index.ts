export {
  startFakeReplicate,
  type FakePrediction,
  type FakeReplicate,
  type FakeReplicateOptions,
  type FakeReplicateState,
  type FakeStatus,
  type RequestLogEntry,
  type ResponseLogEntry,
  type WebhookDeliveryLog,
} from './server';
export { DEFAULT_SCENARIO, type Endpoint, type HttpFault, type Outage, type OutputMode, type Outcome, type Scenario, type WebhookFaults } from './scenario';
export { startWebhookReceiver, type ReceivedWebhook, type WebhookReceiver } from './webhook-receiver';
export { createResponseValidator, loadOpenApi, OPENAPI_PATH, type ResponseValidator } from './openapi';
export { decodeDataUri, generateOutputImage, imageInputOf } from './images';
export { virtualClock, type VirtualClock } from './clock';

/** The app's environment for talking to this fake: its token, its API and its outputs' host. */
export const appEnvFor = (fake: { token: string; url: string; outputHost: string }) => ({
  REPLICATE_API_TOKEN: fake.token,
  REPLICATE_BASE_URL: fake.url,
  REPLICATE_ALLOWED_OUTPUT_HOSTS: fake.outputHost,
});
