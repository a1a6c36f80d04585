/** The product's Pipedrive client. Product code imports from here; the simulator lives in sandbox/pipedrive. */
export { PipedriveClient, type DealFieldName, type PipedriveClientOptions, type SetDealFieldsResult } from './client';
export type { DealListing, ListedDeal } from './deal-listing';
export type { DealPage, DealPagePosition, DealPagesPort } from './deal-pages';
export type { FieldCatalog, FieldInfo, FieldOption } from './field-catalog';
export { fieldNamesByKey } from './field-catalog';
export type { WebhookSubscription } from './webhook-registration';
export { retryAfterMsFrom, toPipedriveError } from './pipedrive-error';
