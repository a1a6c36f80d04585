/**
 * A documented best effort at Pipedrive's free-text address (`value` with no geocoded parts, e.g. "350 Fifth Avenue,
 * New York, NY 10118, USA"). No maintained offline parser covers the countries we bill in (the npm ones are US-only
 * or need libpostal's data files), so this reads comma-separated segments from the end:
 *  - country: the last segment, by name, ISO alpha-2 or alpha-3 code; else inferred from an unmistakable postal
 *    pattern (US state + ZIP, Canadian or British postcode);
 *  - postal code, city and state by the country's layout: US "City, ST 12345", CA "City, ON A1A 1A1", AU
 *    "City NSW 2000", GB "City POSTCODE", and the continental "12345 City" (DE, FR, NL "1234 AB", AT, CH, BE, ES, IT…);
 *  - the first segment is the street, any segment between it and the city is the second line.
 * What it cannot read stays empty, so validation names exactly what is missing.
 */
import type { PostalAddress } from './canonical-deal';
import { normalizeCountryCode } from './countries';

const ALPHA3: Readonly<Record<string, string>> = {
  USA: 'US',
  GBR: 'GB',
  DEU: 'DE',
  FRA: 'FR',
  NLD: 'NL',
  CAN: 'CA',
  AUS: 'AU',
  IRL: 'IE',
  ESP: 'ES',
  ITA: 'IT',
  BEL: 'BE',
  AUT: 'AT',
  CHE: 'CH',
  SWE: 'SE',
  DNK: 'DK',
  NOR: 'NO',
  FIN: 'FI',
  POL: 'PL',
  PRT: 'PT',
  NZL: 'NZ',
  JPN: 'JP',
};

/** Names and codes not in domain/countries.ts that free text commonly ends with. */
const EXTRA_NAMES: Readonly<Record<string, string>> = {
  'UNITED STATES OF AMERICA': 'US',
  AMERICA: 'US',
  'U.K.': 'GB',
  'GREAT BRITAIN AND NORTHERN IRELAND': 'GB',
  'FEDERAL REPUBLIC OF GERMANY': 'DE',
  'RÉPUBLIQUE FRANÇAISE': 'FR',
  NORWAY: 'NO',
  FINLAND: 'FI',
  PORTUGAL: 'PT',
  SCHWEIZ: 'CH',
  SUISSE: 'CH',
};

export function countryFromText(raw: string): string | undefined {
  const s = raw.trim().replace(/\.$/, '').toUpperCase();
  if (s === '') return undefined;
  return normalizeCountryCode(s) ?? ALPHA3[s] ?? EXTRA_NAMES[s];
}

const US_STATE_ZIP = /^(?:(.+?)[\s,]+)?([A-Z]{2})\s+(\d{5}(?:-\d{4})?)$/;
const CA_PROVINCE_POSTCODE =
  /^(?:(.+?)[\s,]+)?(AB|BC|MB|NB|NL|NS|NT|NU|ON|PE|QC|SK|YT)\s+([A-Z]\d[A-Z])\s?(\d[A-Z]\d)$/i;
const AU_STATE_POSTCODE = /^(?:(.+?)[\s,]+)?(NSW|VIC|QLD|SA|WA|TAS|ACT|NT)\s+(\d{4})$/i;
const GB_POSTCODE = /^(?:(.+?)[\s,]+)?([A-Z]{1,2}\d[A-Z\d]?)\s*(\d[A-Z]{2})$/i;
const ZIP_FIRST = /^(\d{4,5}(?:\s?[A-Z]{2})?|[A-Z]{1,2}-\d{4,5})\s+(.+)$/i;
const ZIP_ONLY = /^\d{4,6}$/;

interface Tail {
  city?: string;
  region?: string;
  postalCode?: string;
  /** Segments consumed from the end (not counting the country). */
  used: number;
  country?: string;
}

/** Reads city/region/postal code from the last one or two segments by the country's layout. */
function readTail(segments: string[], country: string | undefined): Tail {
  const last = segments[segments.length - 1] ?? '';
  const before = segments.length >= 2 ? segments[segments.length - 2] : undefined;
  const tryNorthAmerican = (re: RegExp, code: string, zip: (m: RegExpMatchArray) => string): Tail | undefined => {
    const m = last.match(re);
    if (!m) return undefined;
    if (m[1]) return { city: m[1], region: m[2]!.toUpperCase(), postalCode: zip(m), used: 1, country: code };
    return { city: before, region: m[2]!.toUpperCase(), postalCode: zip(m), used: before ? 2 : 1, country: code };
  };
  if (country === undefined || country === 'US') {
    const t = tryNorthAmerican(US_STATE_ZIP, 'US', (m) => m[3]!);
    if (t) return t;
  }
  if (country === undefined || country === 'CA') {
    const t = tryNorthAmerican(CA_PROVINCE_POSTCODE, 'CA', (m) => `${m[3]!.toUpperCase()} ${m[4]!.toUpperCase()}`);
    if (t) return t;
  }
  if (country === 'AU') {
    const t = tryNorthAmerican(AU_STATE_POSTCODE, 'AU', (m) => m[3]!);
    if (t) return t;
  }
  if (country === undefined || country === 'GB' || country === 'IE') {
    const m = last.match(GB_POSTCODE);
    if (m) {
      const postalCode = `${m[2]!.toUpperCase()} ${m[3]!.toUpperCase()}`;
      if (m[1]) return { city: m[1], postalCode, used: 1, country: country ?? 'GB' };
      return { city: before, postalCode, used: before ? 2 : 1, country: country ?? 'GB' };
    }
  }
  if (country !== undefined) {
    const zipFirst = last.match(ZIP_FIRST);
    if (zipFirst) return { postalCode: zipFirst[1]!.toUpperCase(), city: zipFirst[2], used: 1 };
    // "Berlin, 10117" or "Sydney, NSW, 2000": postal code alone, city (and maybe region) before it.
    if (ZIP_ONLY.test(last) && before) {
      const third = segments.length >= 3 ? segments[segments.length - 3] : undefined;
      if (country === 'AU' && third && /^(NSW|VIC|QLD|SA|WA|TAS|ACT|NT)$/i.test(before))
        return { city: third, region: before.toUpperCase(), postalCode: last, used: 3 };
      return { city: before, postalCode: last, used: 2 };
    }
    if (segments.length >= 2) return { city: last, used: 1 };
  }
  return { used: 0 };
}

/** Parts read from free text; only the parts it could read are set. */
export function parseFreeTextAddress(text: string): PostalAddress {
  const segments = text
    .split(/[\n,;]+/)
    .map((s) => s.trim().replace(/\s+/g, ' '))
    .filter((s) => s !== '');
  if (segments.length === 0) return {};
  let country = segments.length > 1 ? countryFromText(segments[segments.length - 1]!) : undefined;
  const rest = country ? segments.slice(0, -1) : segments;
  const tail = readTail(rest, country);
  country = country ?? tail.country;
  const head = rest.slice(0, rest.length - tail.used);
  const out: PostalAddress = { formatted: segments.join(', ') };
  if (head[0]) out.street = head[0];
  if (head.length > 1) out.street2 = head.slice(1).join(', ');
  if (tail.city) out.city = tail.city;
  if (tail.region) out.region = tail.region;
  if (tail.postalCode) out.postalCode = tail.postalCode;
  if (country) out.country = country;
  return out;
}
