/** Pipedrive's address object → the canonical PostalAddress (ISO-2 country, street in the country's own order). */
import type { PostalAddress } from '../../domain/canonical-deal';
import { normalizeCountryCode } from '../../domain/countries';
import type { V2Address } from './wire-types';

/** Countries that write the house number after the street name ("Friedrichstraße 12"). */
const NUMBER_AFTER_STREET = new Set(['DE', 'NL', 'AT', 'CH', 'BE', 'DK', 'SE', 'NO', 'FI', 'PL', 'IT', 'ES', 'PT', 'CZ', 'SK', 'HU', 'HR', 'SI', 'IS']);

const text = (v: string | null | undefined): string | undefined => {
  const s = (v ?? '').trim();
  return s === '' ? undefined : s;
};

export function toPostalAddress(address: V2Address | null | undefined): PostalAddress | undefined {
  if (!address) return undefined;
  const country = normalizeCountryCode(address.country);
  const number = text(address.street_number);
  const route = text(address.route);
  const street =
    number && route ? (country && NUMBER_AFTER_STREET.has(country) ? `${route} ${number}` : `${number} ${route}`) : (route ?? number);
  const out: PostalAddress = {
    formatted: text(address.formatted_address) ?? text(address.value),
    street,
    street2: text(address.subpremise),
    city: text(address.locality) ?? text(address.sublocality) ?? text(address.admin_area_level_2),
    region: text(address.admin_area_level_1),
    postalCode: text(address.postal_code),
    country,
  };
  const defined = Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined)) as PostalAddress;
  return Object.keys(defined).length ? defined : undefined;
}
