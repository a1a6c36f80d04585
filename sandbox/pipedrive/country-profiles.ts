/**
 * Multinational company profiles (address layout, tax id format, currency, NetSuite-side subsidiary and terms) used by
 * the seed and by synthetic deals, so the data exercises the guide's international edge cases. Subsidiary and terms
 * names are those the NetSuite simulator seeds, and every tax id passes its scheme's checks: a synthetic deal is
 * valid unless a test removes something on purpose.
 */
import type { Address } from './model';

export interface CountryProfile {
  country: string;
  currency: string;
  subsidiary: string;
  paymentTerms: string;
  taxId: string;
  phone: string;
  address: Omit<Address, 'value' | 'formatted_address' | 'sublocality' | 'admin_area_level_2'>;
}

export const COUNTRY_PROFILES = {
  US: {
    country: 'US',
    currency: 'USD',
    subsidiary: 'Parent Company',
    paymentTerms: 'Net 30',
    taxId: '94-1234567',
    phone: '+1 415 555 0100',
    address: {
      street_number: '500',
      route: 'Howard Street',
      locality: 'San Francisco',
      admin_area_level_1: 'CA',
      country: 'United States',
      postal_code: '94105',
    },
  },
  GB: {
    country: 'GB',
    currency: 'GBP',
    subsidiary: 'Acme UK Ltd',
    paymentTerms: 'Net 30',
    taxId: 'GB980780684',
    phone: '+44 20 7946 0958',
    address: {
      street_number: '221B',
      route: 'Baker Street',
      locality: 'London',
      admin_area_level_1: 'England',
      country: 'United Kingdom',
      postal_code: 'NW1 6XE',
    },
  },
  DE: {
    country: 'DE',
    currency: 'EUR',
    subsidiary: 'Acme Europe BV',
    paymentTerms: 'Net 15',
    taxId: 'DE123456789',
    phone: '+49 30 901820',
    address: {
      street_number: '12',
      route: 'Friedrichstraße',
      locality: 'Berlin',
      admin_area_level_1: 'Berlin',
      country: 'Germany',
      postal_code: '10117',
    },
  },
  NL: {
    country: 'NL',
    currency: 'EUR',
    subsidiary: 'Acme Europe BV',
    paymentTerms: 'Net 30',
    taxId: 'NL123456789B01',
    phone: '+31 10 123 4567',
    address: {
      street_number: '45',
      route: 'Wilhelminakade',
      locality: 'Rotterdam',
      admin_area_level_1: 'Zuid-Holland',
      country: 'Netherlands',
      postal_code: '3072 AP',
    },
  },
  CA: {
    country: 'CA',
    currency: 'CAD',
    subsidiary: 'Acme Canada Inc',
    paymentTerms: 'Net 60',
    taxId: '123456789RT0001',
    phone: '+1 416 555 0199',
    address: {
      street_number: '100',
      route: 'King Street West',
      locality: 'Toronto',
      admin_area_level_1: 'ON',
      country: 'Canada',
      postal_code: 'M5X 1A9',
    },
  },
  AU: {
    country: 'AU',
    currency: 'AUD',
    subsidiary: 'Acme Australia Pty Ltd',
    paymentTerms: 'Net 30',
    taxId: '51 824 753 556',
    phone: '+61 2 9374 4000',
    address: {
      street_number: '1',
      route: 'Macquarie Street',
      locality: 'Sydney',
      admin_area_level_1: 'NSW',
      country: 'Australia',
      postal_code: '2000',
    },
  },
} satisfies Record<string, CountryProfile>;

export type CountryCode = keyof typeof COUNTRY_PROFILES;

export function isCountryCode(value: unknown): value is CountryCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(COUNTRY_PROFILES, value);
}

/** The address as Pipedrive's geocoder fills it, or (`freeTextOnly`) as typed without picking a suggestion: text only. */
export function profileAddress(profile: CountryProfile, freeTextOnly = false): Address {
  const a = profile.address;
  const formatted = `${a.street_number} ${a.route}, ${a.postal_code} ${a.locality}, ${a.admin_area_level_1}, ${a.country}`;
  if (freeTextOnly) {
    const typed = freeTextAddress(profile);
    return {
      street_number: null,
      route: null,
      locality: null,
      sublocality: null,
      admin_area_level_1: null,
      admin_area_level_2: null,
      country: null,
      postal_code: null,
      value: typed,
      formatted_address: typed,
    };
  }
  return { ...a, sublocality: null, admin_area_level_2: null, value: formatted, formatted_address: formatted };
}

/** How people type the address in each country (street order, postal code placement). */
function freeTextAddress(profile: CountryProfile): string {
  const a = profile.address;
  switch (profile.country) {
    case 'US':
    case 'CA':
      return `${a.street_number} ${a.route}, ${a.locality}, ${a.admin_area_level_1} ${a.postal_code}, ${a.country}`;
    case 'AU':
      return `${a.street_number} ${a.route}, ${a.locality} ${a.admin_area_level_1} ${a.postal_code}, ${a.country}`;
    case 'GB':
      return `${a.street_number} ${a.route}, ${a.locality} ${a.postal_code}, ${a.country}`;
    default:
      return `${a.route} ${a.street_number}, ${a.postal_code} ${a.locality}, ${a.country}`;
  }
}
