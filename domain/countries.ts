/**
 * Country codes: the mapping works in ISO 3166-1 alpha-2 (NetSuite's address `country`). Pipedrive address fields
 * often carry a country name instead; the common names for the countries we bill in are accepted and normalised.
 */
const COUNTRY_ALIASES: Readonly<Record<string, string>> = {
  'UNITED STATES': 'US',
  'UNITED STATES OF AMERICA': 'US',
  USA: 'US',
  'U.S.A.': 'US',
  'U.S.': 'US',
  'UNITED KINGDOM': 'GB',
  UK: 'GB',
  'GREAT BRITAIN': 'GB',
  ENGLAND: 'GB',
  SCOTLAND: 'GB',
  WALES: 'GB',
  'NORTHERN IRELAND': 'GB',
  GERMANY: 'DE',
  DEUTSCHLAND: 'DE',
  FRANCE: 'FR',
  NETHERLANDS: 'NL',
  'THE NETHERLANDS': 'NL',
  NEDERLAND: 'NL',
  HOLLAND: 'NL',
  IRELAND: 'IE',
  SPAIN: 'ES',
  ESPAÑA: 'ES',
  ITALY: 'IT',
  ITALIA: 'IT',
  BELGIUM: 'BE',
  BELGIË: 'BE',
  BELGIQUE: 'BE',
  SWEDEN: 'SE',
  SVERIGE: 'SE',
  DENMARK: 'DK',
  DANMARK: 'DK',
  POLAND: 'PL',
  POLSKA: 'PL',
  AUSTRIA: 'AT',
  ÖSTERREICH: 'AT',
  CANADA: 'CA',
  AUSTRALIA: 'AU',
  JAPAN: 'JP',
  SWITZERLAND: 'CH',
  'NEW ZEALAND': 'NZ',
};

/** `de`, `DE`, `Germany`, `Deutschland` → `DE`; anything else that is not two letters → undefined. */
export function normalizeCountryCode(raw: string | null | undefined): string | undefined {
  const s = (raw ?? '').trim().toUpperCase();
  if (s === '') return undefined;
  if (/^[A-Z]{2}$/.test(s)) return s === 'UK' ? 'GB' : s;
  return COUNTRY_ALIASES[s];
}
