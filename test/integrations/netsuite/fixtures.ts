/** Test-side wiring: a real NetSuite simulator, a client pointed at it, its admin routes, and request bodies. */
import axios from 'axios';
import type { NetSuiteCustomerBody, NetSuiteInvoiceBody } from '../../../domain/netsuite-records';
import { NetSuiteClient, type NetSuiteClientConfig } from '../../../integrations/netsuite';
import type { FaultPatch, RunningNetSuiteSimulator } from '../../../sandbox/netsuite';

export function clientFor(
  sim: RunningNetSuiteSimulator,
  overrides: Partial<NetSuiteClientConfig> = {},
): NetSuiteClient {
  const { url, ...credentials } = sim.stackEntry;
  return new NetSuiteClient({ baseUrl: url, ...credentials, concurrencyLimit: 5, ...overrides });
}

export interface SimStatsSnapshot {
  requests: Record<string, number>;
  total: number;
  throttled: number;
  peakConcurrency: number;
  concurrencyLimit: number;
  asyncJobs: { submitted: number; succeeded: number; failed: number };
}

export const simAdmin = {
  async faults(sim: RunningNetSuiteSimulator, patch: FaultPatch): Promise<void> {
    await axios.put(`${sim.url}/__sim/faults`, patch);
  },
  async reset(sim: RunningNetSuiteSimulator, data = false): Promise<void> {
    await axios.post(`${sim.url}/__sim/reset${data ? '?data=true' : ''}`);
  },
  async stats(sim: RunningNetSuiteSimulator): Promise<SimStatsSnapshot> {
    return (await axios.get<SimStatsSnapshot>(`${sim.url}/__sim/stats`)).data;
  },
};

/** A customer body as customer-mapping.ts builds it; `overrides` lets a test break one field. */
export function customerBody(externalId: string, overrides: Partial<NetSuiteCustomerBody> = {}): NetSuiteCustomerBody {
  return {
    externalId,
    entityId: `Acme ${externalId}`,
    companyName: `Acme ${externalId}`,
    isPerson: false,
    email: `ap+${externalId.toLowerCase()}@acme.example`,
    subsidiary: { id: '2' },
    terms: { id: '2' },
    addressBook: {
      items: [
        {
          defaultBilling: true,
          defaultShipping: true,
          label: 'Billing',
          addressBookAddress: {
            addr1: '1 High Street',
            city: 'London',
            zip: 'EC1A 1BB',
            country: 'GB',
            addressee: 'Acme Ltd',
          },
        },
      ],
    },
    taxRegistration: { items: [{ nexusCountry: 'GB', taxRegistrationNumber: 'GB123456789' }] },
    custentity_onboarding_code: 'GROWTH',
    custentity_pd_deal_id: '42',
    custentity_csm: 'csm-1',
    custentity_billing_owner: 'billing-1',
    ...overrides,
  };
}

export function invoiceBody(externalId: string, customerId: string): NetSuiteInvoiceBody {
  return {
    externalId,
    entity: { id: customerId },
    subsidiary: { id: '2' },
    terms: { id: '2' },
    tranDate: '2026-12-01',
    memo: 'Onboarding GROWTH',
    item: { items: [{ item: { id: '11' }, quantity: 1, rate: 4500, amount: 4500 }] },
  };
}

/** Runs `fn` and returns what it threw (failing the test when it did not throw). */
export async function thrown(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    await fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}
