import { consoleDetailUrl } from './detail-url';

describe('consoleDetailUrl', () => {
  it("points at the group's page under policy-admin's console, however the address was copied", () => {
    for (const copied of [
      'http://127.0.0.1:8084',
      'http://127.0.0.1:8084/',
      'http://127.0.0.1:8084/console',
      'http://127.0.0.1:8084/console/',
      'http://127.0.0.1:8084/console?tab=tiers#top',
    ]) {
      expect(consoleDetailUrl(copied)).toBe('http://127.0.0.1:8084/console/groups/{groupKey}');
    }
  });

  it('keeps a path policy-admin is served under (behind a proxy)', () => {
    expect(consoleDetailUrl('https://hum.bank.example/admin/')).toBe(
      'https://hum.bank.example/admin/console/groups/{groupKey}',
    );
  });
});
