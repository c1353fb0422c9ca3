import { describe, expect, it } from 'vitest';
import { classify } from '../../src/api/paths.js';

describe('reads and writes, from the path table', () => {
  it.each([
    ['GET', '/api/v1/integrations/partner/analytics', false, 'partnerAnalytics'],
    ['POST', '/api/v1/integrations/breach/check', false, 'breachCheck'],
    ['POST', '/api/v1/integrations/breach/retrieve', false, 'breachRetrieve'],
    ['POST', '/api/v1/integrations/customer/onboard', true, 'customerOnboard'],
    ['POST', '/api/v1/integrations/customer/abc/magic-link', true, 'customerMagicLink'],
    ['GET', '/api/v1/integrations/customer/abc/assets', false, 'customerAssets'],
    ['PATCH', '/api/v1/integrations/customer/abc/assets', true, 'customerAssets'],
    ['POST', '/api/v1/integrations/breach/status', true, 'breachStatus'],
    ['POST', '/api/v1/integrations/webhooks/secrets/cycle', true, 'webhookSecretsCycle'],
    ['DELETE', '/api/v1/integrations/webhooks/secrets/s-1', true, 'webhookSecret'],
    ['GET', '/api/integrations/webhooks', false, 'webhooks'],
    ['DELETE', '/api/integrations/webhooks/7', true, 'webhook'],
    // A method the table does not list for a known path: GET/HEAD read, anything else writes.
    ['HEAD', '/api/v1/integrations/customer/onboard', false, 'customerOnboard'],
    ['PUT', '/api/v1/integrations/breach/check', true, 'breachCheck'],
    // Paths the table does not know (the `api` command reaches anything).
    ['get', '/api/v2/anything?token=x', false, undefined],
    ['POST', '/api/v2/anything', true, undefined],
    ['OPTIONS', '/api/v2/anything', true, undefined],
  ])('%s %s: write %s (%s)', (method, path, write, operation) => {
    expect(classify(method, path)).toMatchObject({ write, operation });
  });

  it('gives the ID in the path, decoded', () => {
    expect(classify('PATCH', '/api/v1/integrations/customer/a%2Fb/info').id).toBe('a/b');
  });
});
