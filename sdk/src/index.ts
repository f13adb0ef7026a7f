// The SDK's public surface: the client, its error and cost helpers, and every generated type and
// typed document node (usable with Apollo Client or urql as they are).
export { createClient, operationDocuments } from './client.js';
export type {
  CallOptions,
  Client,
  EventOf,
  SubscribeArgs,
  ClientOptions,
  OperationDocuments,
  OperationMethods,
  OperationName,
  SdkResult,
  VariablesArgs,
} from './client.js';
export { backoffDelay, closeAction, payloadFor, resumeVariables, wsUrlFor } from './live.js';
export { trustedDocuments } from '../__generated__/trusted-documents.js';
export type { Backoff, CloseAction, LiveOptions, LiveResult, LiveSubscription, SubscribeOptions } from './live.js';
export { SdkError, isSdkError, toSdkErrorCode } from './errors.js';
export type { ClientErrorCode, GraphQLErrorEntry, RequestErrorCode, SdkErrorCode, SdkErrorInit, ServerErrorCode } from './errors.js';
export { createCostTally, readCost } from './cost.js';
export type { CostReport, CostTally } from './cost.js';
export * from '../__generated__/operations.js';
