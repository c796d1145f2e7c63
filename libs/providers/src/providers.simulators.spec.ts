import { AcronisSimulator, startAcronisSimulator } from '@app/acronis-simulator';
import { FlussonicSimulator, startFlussonicSimulator } from '@app/flussonic-simulator';
import { request } from 'undici';
import { AcronisProvider } from './acronis/acronis.provider';
import { FlussonicProvider } from './flussonic/flussonic.provider';
import { ConnectionContext } from './login-link-provider.interface';
import { UpstreamHttpClient } from './upstream/upstream-http.client';
import { DEFAULT_UPSTREAM_HTTP_OPTIONS } from './upstream/upstream-http.options';

const TENANT = '7f0c1e5a-0000-4000-8000-000000000001';
const USER_ID = '7f0c1e5a-0000-4000-8000-0000000000aa';

function connection(
  baseUrl: string,
  credentials: Record<string, unknown>,
  settings: Record<string, unknown>,
): ConnectionContext {
  return {
    tenantId: 't',
    connectionId: `c-${Math.random()}`,
    baseUrl,
    settings,
    credentialVersion: 1,
    loadCredentials: async () => credentials,
  };
}

describe('providers against the upstream simulators', () => {
  let http: UpstreamHttpClient;

  beforeAll(() => {
    http = new UpstreamHttpClient(DEFAULT_UPSTREAM_HTTP_OPTIONS);
  });
  afterAll(() => http.onModuleDestroy());

  describe('Acronis', () => {
    let sim: AcronisSimulator;
    const sut = () => new AcronisProvider(http);

    beforeAll(async () => {
      sim = await startAcronisSimulator({
        tenants: [{ id: TENANT }],
        clients: [{ client_id: 'cid', client_secret: 'csecret', tenant_id: TENANT }],
        users: [{ id: USER_ID, login: 'alice', tenant_id: TENANT }],
        unknownUserStatus: 400,
      });
    });
    afterAll(() => sim.close());

    it('mints a link whose OTT logs the user in once', async () => {
      const ctx = connection(sim.url, { client_id: 'cid', client_secret: 'csecret' }, { allowed_target_uris: [] });
      const action = await sut().mint(ctx, { subject: { login: 'alice' } });
      const fragment = new URLSearchParams(new URL(action.url).hash.slice(1));
      const redeem = () =>
        request(
          `${sim.url}/api/2/idp/external-login/_sim?${new URLSearchParams({ ott: fragment.get('ott')!, targetURI: fragment.get('targetURI')! }).toString()}`,
        );
      const first = await redeem();
      await first.body.dump();
      expect([first.statusCode, first.headers.location]).toEqual([302, `${sim.url}/mc/`]);
      const second = await redeem();
      await second.body.dump();
      expect(second.statusCode).toBe(401);
    });

    it('maps the unknown-user answer and rejected secrets', async () => {
      const ctx = connection(sim.url, { client_id: 'cid', client_secret: 'csecret' }, { allowed_target_uris: [] });
      await expect(sut().mint(ctx, { subject: { login: 'nobody' } })).rejects.toMatchObject({
        code: 'upstream_user_not_found',
      });
      const bad = connection(sim.url, { client_id: 'cid', client_secret: 'wrong' }, { allowed_target_uris: [] });
      await expect(sut().check(bad)).resolves.toMatchObject({ ok: false, code: 'upstream_unauthorized' });
      await expect(sut().check(ctx)).resolves.toMatchObject({ ok: true });
    });

    it('refreshes once after a secret reset revoked the cached token', async () => {
      const provider = sut();
      const ctx = connection(sim.url, { client_id: 'cid', client_secret: 'csecret' }, { allowed_target_uris: [] });
      await provider.mint(ctx, { subject: { user_id: USER_ID } });
      const issued = sim.counters.tokensIssued;
      sim.revokeAllTokens();
      await provider.mint(ctx, { subject: { user_id: USER_ID } });
      expect(sim.counters.tokensIssued).toBe(issued + 1);
    });
  });

  describe('Flussonic', () => {
    let sim: FlussonicSimulator;
    const sut = () => new FlussonicProvider(http);

    beforeAll(async () => {
      sim = await startFlussonicSimulator({ apiKey: 'system-key', users: [{ login: 'alice' }] });
    });
    afterAll(() => sim.close());

    it.each(['legacy', 'v2'])('%s: mints a token the autologin form accepts', async (authMode) => {
      const ctx = connection(
        sim.url,
        { api_key: 'system-key', auth_mode: authMode },
        { default_session_lifetime: 3600 },
      );
      const action = await sut().mint(ctx, { subject: { login: 'alice' } });
      const answer = await request(action.form!.action, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(action.form!.fields).toString(),
      });
      await answer.body.dump();
      expect(answer.statusCode).toBe(302);
      await expect(sut().check(ctx)).resolves.toMatchObject({ ok: true });
    });

    it('maps a wrong key and an unknown login', async () => {
      const bad = connection(sim.url, { api_key: 'wrong' }, {});
      await expect(sut().mint(bad, { subject: { login: 'alice' } })).rejects.toMatchObject({
        code: 'upstream_unauthorized',
      });
      await expect(sut().check(bad)).resolves.toMatchObject({ ok: false, code: 'upstream_unauthorized' });
      const good = connection(sim.url, { api_key: 'system-key' }, {});
      await expect(sut().mint(good, { subject: { login: 'nobody' } })).rejects.toMatchObject({
        code: 'upstream_user_not_found',
      });
    });
  });
});
