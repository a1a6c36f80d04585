/** NetSuite SuiteTalk REST client: the only module the activities import from integrations/netsuite. */
export { NetSuiteClient, SUITEQL_MAX_PAGE } from './netsuite-client';
export type {
  AsyncJobRef,
  AsyncJobStatus,
  CustomerMatch,
  NetSuiteClientConfig,
  NetSuiteCustomerRecord,
  SuiteQlPage,
} from './netsuite-client';
export type { NetSuiteRequestEvent } from './netsuite-http';
export { createTbaSigner, type TbaCredentials } from './oauth-signer';
export { sqlString } from './suiteql-literal';
