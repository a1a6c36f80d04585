export {
  SlackClient,
  webClientOptions,
  type SlackClientOptions,
  type SlackMessage,
  type SlackMessageRef,
} from './slack-client';
export { toSlackVendorError, kindForSlackError } from './slack-error';
export {
  renderReviewCard,
  ownerLine,
  decisionLine,
  escapeMrkdwn,
  netsuiteCustomerUrl,
  netsuiteUiBaseUrl,
  payloadPreview,
  pipedriveDealUrl,
  slackDate,
  type RenderedCard,
  type ReviewCardLinks,
} from './review-card-blocks';
export {
  FIX_INPUT_ACTION_ID,
  FIX_MODAL_CALLBACK_ID,
  REVIEW_ACTION_IDS,
  RETRY_ALL_ACTION_ID,
  decodeRetryAllValue,
  encodeRetryAllValue,
  decodeButtonValue,
  encodeButtonValue,
  type ReviewActionId,
  type ReviewButtonValue,
} from './review-action-ids';
export {
  ReviewerDirectory,
  ownerMention,
  type ReviewOwnerRef,
  type ReviewerDirectoryOptions,
} from './reviewer-directory';
