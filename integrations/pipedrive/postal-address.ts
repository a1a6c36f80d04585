/**
 * Pipedrive's address object → the canonical PostalAddress (ISO-2 country, street in the country's own order). An
 * address with only its free text (`value`, common when nobody picked the geocoder's suggestion) is parsed by
 * domain/free-text-address.ts when the template allows; parts Pipedrive did send always win over parsed ones.
 */
import type { PostalAddress } from '../../domain/canonical-deal';
import { normalizeCountryCode } from '../../domain/countries';
import { parseFreeTextAddress } from '../../domain/free-text-address';
import type { V2Address } from './wire-types';

/** Countries that write the house number after the street name ("Friedrichstraße 12"). */
const NUMBER_AFTER_STREET = new Set([
  'DE',
  'NL',
  'AT',
  'CH',
  'BE',
  'DK',
  'SE',
  'NO',
  'FI',
  'PL',
  'IT',
  'ES',
  'PT',
  'CZ',
  'SK',
  'HU',
  'HR',
  'SI',
  'IS',
]);

const text = (v: string | null | undefined): string | undefined => {
  const s = (v ?? '').trim();
  return s === '' ? undefined : s;
};

export function toPostalAddress(
  address: V2Address | null | undefined,
  opts: { parseFreeText?: boolean } = {},
): PostalAddress | undefined {
  if (!address) return undefined;
  const parsed = opts.parseFreeText
    ? parseFreeTextAddress(text(address.formatted_address) ?? text(address.value) ?? '')
    : {};
  const country = normalizeCountryCode(address.country);
  const number = text(address.street_number);
  const route = text(address.route);
  const street =
    number && route
      ? country && NUMBER_AFTER_STREET.has(country)
        ? `${route} ${number}`
        : `${number} ${route}`
      : (route ?? number);
  const city = text(address.locality) ?? text(address.sublocality) ?? text(address.admin_area_level_2);
  // Parsed parts only fill an address Pipedrive left unstructured: mixing a geocoded street with a parsed one would not.
  const structured = street !== undefined || city !== undefined;
  const out: PostalAddress = {
    formatted: text(address.formatted_address) ?? text(address.value),
    street: street ?? (structured ? undefined : parsed.street),
    street2: text(address.subpremise) ?? (structured ? undefined : parsed.street2),
    city: city ?? (structured ? undefined : parsed.city),
    region: text(address.admin_area_level_1) ?? (structured ? undefined : parsed.region),
    postalCode: text(address.postal_code) ?? (structured ? undefined : parsed.postalCode),
    country: country ?? parsed.country,
  };
  const defined = Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined)) as PostalAddress;
  return Object.keys(defined).length ? defined : undefined;
}
