import { fingerprintKey, ticketKey } from './incident-keys';

describe('incident keys (one spelling for every agent)', () => {
  it('writes the fingerprint as service:symptom', () => {
    expect(fingerprintKey('cart', 'high_error_rate')).toBe('cart:high_error_rate');
  });

  it("writes the incident's own ticket key as ticket:<incident id>", () => {
    expect(ticketKey('INC-20261124-001-g000')).toBe('ticket:INC-20261124-001-g000');
  });
});
