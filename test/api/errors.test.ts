import { describe, expect, it } from 'vitest';
import { describeFailure, errorFromResponse } from '../../src/api/errors.js';
import { ExitCode } from '../../src/exit-codes.js';

const base = { statusText: '', contentType: 'application/json', method: 'GET', path: '/x', retries: 0 };
const json = (status: number, body: unknown) => errorFromResponse({ ...base, status, bodyText: JSON.stringify(body) });

describe('errorFromResponse maps statuses to the exit-code table', () => {
  it.each([
    [400, ExitCode.ApiRejected],
    [404, ExitCode.ApiRejected],
    [409, ExitCode.ApiRejected],
    [422, ExitCode.ApiRejected],
    [401, ExitCode.Auth],
    [403, ExitCode.Auth],
    [429, ExitCode.Unavailable],
    [500, ExitCode.Unavailable],
    [503, ExitCode.Unavailable],
  ])('%i -> exit %i', (status, code) => {
    expect(json(status, { success: false, error: 'boom' }).exitCode).toBe(code);
  });

  it("shows the API's error, then its message, then the status line", () => {
    expect(json(404, { success: false, error: 'Customer not found or does not belong to partner' }).message).toMatch(
      /^Customer not found or does not belong to partner \(SafeWeb answered 404 to GET \/x\)$/,
    );
    expect(json(400, { success: false, message: 'Bad thing' }).message).toMatch(/^Bad thing/);
    expect(errorFromResponse({ ...base, status: 418, statusText: "I'm a teapot", bodyText: '{}' }).message).toMatch(
      /^418 I'm a teapot/,
    );
  });

  it('reports an HTML page as such instead of crashing on it', () => {
    const failure = describeFailure({
      status: 502,
      statusText: 'Bad Gateway',
      contentType: 'text/html',
      bodyText: '<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>',
    });
    expect(failure.message).toBe(
      '502 Bad Gateway: the server answered with an HTML page, not JSON ("502 Bad Gateway"); a proxy or gateway may be in the way',
    );
  });

  it('names the far side: SafeWeb unless the client names another (a PSA, a channel), with the same exit codes', () => {
    const safeweb = json(404, { error: 'Customer not found' });
    expect(safeweb.message).toBe('Customer not found (SafeWeb answered 404 to GET /x)');
    expect(safeweb).toMatchObject({ farSide: 'SafeWeb', exitCode: ExitCode.ApiRejected });
    const psa = (status: number) =>
      errorFromResponse({ ...base, status, bodyText: '{"message":"no"}', farSide: 'ConnectWise' });
    expect(psa(422)).toMatchObject({ farSide: 'ConnectWise', exitCode: ExitCode.ApiRejected });
    expect(psa(422).message).toBe('no (ConnectWise answered 422 to GET /x)');
    expect(psa(401)).toMatchObject({ farSide: 'ConnectWise', exitCode: ExitCode.Auth });
    expect(psa(401).hint).not.toContain('safeweb login');
    expect(psa(503)).toMatchObject({ farSide: 'ConnectWise', exitCode: ExitCode.Unavailable });
    expect(psa(302).message).toBe('ConnectWise redirected GET /x (302); the base URL is probably wrong');
  });

  it('says how many retries were spent', () => {
    expect(errorFromResponse({ ...base, status: 503, bodyText: '', retries: 3 }).message).toContain('after 3 retries');
  });
});
