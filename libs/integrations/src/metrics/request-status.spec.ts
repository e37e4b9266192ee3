import { RequestStatusConfig } from '@opscrew/config';
import {
  addToTally,
  classifyRequests,
  DEFAULT_REQUEST_STATUS,
  EMPTY_TALLY,
  errorRatioOf,
  statusOf,
  unclassifiedReason,
} from './request-status';

describe('request status conventions', () => {
  it('the default is the config schema default: one definition', () => {
    const schema = new RequestStatusConfig();
    expect(DEFAULT_REQUEST_STATUS).toEqual({
      labels: schema.labels,
      error_prefixes: schema.error_prefixes,
    });
    expect(DEFAULT_REQUEST_STATUS.labels).toEqual([
      'status_code',
      'code',
      'status',
      'http_status_code',
      'http_response_status_code',
    ]);
  });

  it.each(DEFAULT_REQUEST_STATUS.labels)('reads the status from %s', (label) => {
    expect(classifyRequests({ route: '/', [label]: '503' }, DEFAULT_REQUEST_STATUS)).toBe('error');
    expect(classifyRequests({ route: '/', [label]: '404' }, DEFAULT_REQUEST_STATUS)).toBe('ok');
  });

  it('takes the first configured label a series carries; an empty value is no value', () => {
    const conventions = { labels: ['code', 'status_code'], error_prefixes: ['5'] };
    expect(statusOf({ status_code: '200', code: '500' }, conventions)).toBe('500');
    expect(statusOf({ status_code: '200', code: '' }, conventions)).toBe('200');
    expect(statusOf({ route: '/' }, conventions)).toBeUndefined();
    expect(classifyRequests({ route: '/' }, conventions)).toBe('unclassified');
  });

  it('matches error prefixes: 5 is every 5xx, 429 only throttling', () => {
    const conventions = { labels: ['code'], error_prefixes: ['5', '429'] };
    expect(
      ['500', '599', '429', '428', '200'].map((code) => classifyRequests({ code }, conventions)),
    ).toEqual(['error', 'error', 'error', 'ok', 'ok']);
  });

  it('tallies: the ratio is over classified requests; traffic without any status is unmeasurable', () => {
    expect(errorRatioOf(EMPTY_TALLY)).toBeNull();
    let tally = addToTally(EMPTY_TALLY, 'ok', 6);
    tally = addToTally(tally, 'error', 2);
    tally = addToTally(tally, 'unclassified', 12);
    expect(tally).toEqual({ requests: 20, classified: 8, errors: 2 });
    expect(errorRatioOf(tally)).toBe(0.25);
    expect(errorRatioOf(addToTally(EMPTY_TALLY, 'unclassified', 5))).toBe('unmeasurable');
    // Zero errors measured is a real 0, not missing data.
    expect(errorRatioOf(addToTally(EMPTY_TALLY, 'ok', 5))).toBe(0);
  });

  it('names the series and every label looked for', () => {
    expect(unclassifiedReason('http_requests_total{job="cart"}', DEFAULT_REQUEST_STATUS)).toBe(
      'no http_requests_total{job="cart"} series with a status label among status_code, code, status, http_status_code, http_response_status_code — errors cannot be measured',
    );
    expect(unclassifiedReason('x', { labels: ['code'], error_prefixes: ['5'] }, true)).toBe(
      'no traffic on the x series with a status label (code) while unlabelled ones had some — errors cannot be measured',
    );
  });
});
