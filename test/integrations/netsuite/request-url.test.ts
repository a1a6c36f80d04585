/** The URL that is both signed and sent, and ids read back from Location headers. */
import { idFromLocation, recordPath, restUrl, routeLabel } from '../../../integrations/netsuite/request-url';

test('restUrl joins origin and path once and encodes query values once', () => {
  expect(restUrl('http://127.0.0.1:4010', 'query/v1/suiteql', { limit: 10, offset: 0 })).toBe(
    'http://127.0.0.1:4010/services/rest/query/v1/suiteql?limit=10&offset=0',
  );
  expect(
    restUrl('https://1-sb1.suitetalk.api.netsuite.com/services/rest/', 'record/v1/customer', {
      q: 'externalId IS "A B"',
      skip: undefined,
    }),
  ).toBe('https://1-sb1.suitetalk.api.netsuite.com/services/rest/record/v1/customer?q=externalId%20IS%20%22A%20B%22');
});

test('recordPath addresses by internal id or eid:', () => {
  expect(recordPath('customer', { externalId: 'PD-123_x' })).toBe('record/v1/customer/eid:PD-123_x');
  expect(recordPath('invoice', { id: '5001' })).toBe('record/v1/invoice/5001');
});

test('idFromLocation takes the last path segment', () => {
  expect(idFromLocation('https://a.suitetalk.api.netsuite.com/services/rest/record/v1/customer/647')).toBe('647');
  expect(idFromLocation('/services/rest/async/v1/job/12/')).toBe('12');
  expect(idFromLocation(undefined)).toBeUndefined();
});

test('routeLabel folds ids so metric labels stay bounded', () => {
  expect(routeLabel('put', 'record/v1/customer/eid:PD-1')).toBe('PUT record/v1/customer/{id}');
  expect(routeLabel('GET', 'async/v1/job/12/task/12/result')).toBe('GET async/v1/job/{id}/task/{id}/result');
});
