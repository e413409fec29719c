/**
 * The one entry of the cloud layer: src/main (the composition root) and the
 * mock clouds (tools/mock-cloud) import src/cloud through this file only
 * (`.dependency-cruiser.cjs` rule `cloud-has-one-entry`). Inside src/cloud,
 * modules import one another directly.
 */

// The vendors (registry.ts): configuration, building, callbacks, reserved compartments.
export {
  buildIntegrations,
  callbackRoutes,
  claimedDestinationNames,
  reservedCompartments,
  VENDOR_CONFIG_SHAPE,
  VENDORS,
  type CallbackRoutesConfig,
  type IntegrationContext,
  type Integrations,
  type RoutedDestination,
  type VendorConfigs,
  type VendorKey,
} from './registry.js';
export type { WebhookSettings } from './webhooks/config.js';

// The sync engine and the ports src/main implements (sync/).
export { SyncEngine } from './sync/sync-engine.js';
export { retryDelayMs } from './sync/backoff.js';
export type { CodeSource, DeliverableRow, DeliveryOutcome, Destination, DestinationHealth, InboundCommand, InboxPort, OutboxPort } from './sync/ports.js';
export type { OutboundEvent, OutboundEventOf } from './common/outbound-event.js';

// The callback receiver (receiver/).
export { CallbackReceiver, type ReceivedCallback, type ReceiverAddress } from './receiver/server.js';

// The command channel (channel/).
export { CommandChannel, type ChannelState } from './channel/channel-client.js';
export type { ChannelCommandExecutor } from './channel/command-processor.js';
export { cabinetMessageSchema, signCommand, type ChannelCommand, type CommandResult, type Heartbeat, type HeartbeatFacts, type HeartbeatHealth, type SignedCommand, type UnsignedCommand } from './channel/command.js';

// The fleet link over MQTT (fleet/): the cabinet's connection, its events destination, the operator's client.
export { fleetConfigSchema, type FleetSettings, type FleetTls } from './fleet/config.js';
export { FleetLink, redactUrl, type FleetLinkState } from './fleet/link.js';
export { FleetDestination } from './fleet/destination.js';
export { FleetError, type FleetErrorCode } from './fleet/errors.js';
export { FleetOperator, type CabinetRow, type OperatorSettings } from './fleet/operator.js';
export {
  alarmAckSchema,
  alarmPayloadSchema,
  eventPayloadSchema,
  fleetTopics,
  fleetWildcard,
  jobStatusSchema,
  signDesired,
  thingOf,
  verifyDesired,
  type AlarmPayload,
  type FleetEventPayload,
  type FleetTopics,
  type JobStatus,
  type ReportedPayload,
  type SettingValue,
  type StatePayload,
} from './fleet/topics.js';
export { CommandProcessor } from './channel/command-processor.js';

// Shared helpers a caller outside needs.
export { isLoopback } from './common/http.js';

// `cabinet-kiosk doctor` and `diag`: reachability, credentials and clock skew of each configured vendor (probe.ts); secrets scrubbed from text.
export { probeTargets, probeVendors, type ClockProbeResult, type ProbeTarget, type VendorProbeResult } from './probe.js';
export { REDACTED, redactSecrets } from './common/redact.js';

/*
 * Wire formats, for the mock vendor clouds (tools/mock-cloud), which play the
 * vendors' side with the agent's own signers and schemas. The agent itself
 * needs none of these from outside src/cloud.
 */
export { AITUO_GET_WAIT_DROPOFF_ORDER, AITUO_GET_WAIT_PICKUP_ORDER, AITUO_OPEN_BOX } from './aituo/schemas.js';
export { aituoPushBodySchema } from './aituo/schemas.js';
export { jsonObject } from './dingshang/callback.js';
export { notifyUrlFor } from './dingshang/config.js';
export { ENDPOINTS, matchEndpoint, OPEN_API_BASE_PATH, type EndpointName } from './dingshang/schemas.js';
export { DS_ERROR } from './dingshang/errors.js';
export { codeExternalId } from './dingshang/mapper.js';
export { readSignedBody } from './dingshang/signer.js';
export { DEFAULT_UTC_OFFSET_MINUTES, formatDsDateTime, parseDsDateTime } from './dingshang/schemas.js';
export { computeSign, toSignParams, type SignValueMode } from './dingshang/signer.js';
export { verifyHongxunEnvelope } from './hongxun/signer.js';
export { HONGXUN_DEFAULT_TIME_ZONE, hongxunSignForProductSchema, hongxunSignForRequestSchema, hongxunTimeSchema, type HongxunTimeZone } from './hongxun/schemas.js';
export { DEFAULT_TOLERANCE_SECONDS, StandardWebhookError, verifyWebhook, webhookSecretKey, type WebhookSecret } from './webhooks/signer.js';
export type { YopointOptions } from './yopoint/config.js';
// The Yopoint gateway the agent calls (registration at start, orders it is notified of) and `doctor`'s registration check.
export { yopointGateway, yopointRegistration, type YopointGateway, type YopointRegistration, type YopointRegistrationState } from './yopoint/registration.js';
export { isYopointNotifyMethod, YOPOINT_NOTIFY_METHODS, yopointNotifications, type YopointNotifyMethod } from './yopoint/schemas.js';
export { decodeYopointForm, YOPOINT_NOTIFY_SIGNED_FIELDS } from './yopoint/callback.js';
export {
  cabinetListBizSchema,
  cabinetOpenDoorBizSchema,
  cabinetOrderGetBizSchema,
  cabinetOrderListBizSchema,
  YOPOINT_CONTENT_TYPE,
  yopointOrderSchema,
  yopointRequestParamsSchema,
  type YopointOrder,
} from './yopoint/schemas.js';
export { YOPOINT_SIGN_TYPE, yopointSign, yopointSignMatches, yopointTimestamp, yopointTimestampToMs } from './yopoint/signer.js';
