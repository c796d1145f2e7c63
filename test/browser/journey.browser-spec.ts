import { acronisOptionsFromEnv, AcronisSimulator, startAcronisSimulator } from '@app/acronis-simulator';
import { FlussonicSimulator, startFlussonicSimulator } from '@app/flussonic-simulator';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import request from 'supertest';
import { createTestApp, TestApp } from '../utils/create-app';
import { launchChromium } from './chromium';

const ALICE = 'alice@customer-a.example';
const VIEWER = 'viewer@customer-a.example';
/** UPDATE_SCREENSHOTS=1 rewrites the committed docs/images/; otherwise they go to a temporary folder. */
const IMAGES =
  process.env.UPDATE_SCREENSHOTS === '1'
    ? join(__dirname, '../../docs/images')
    : mkdtempSync(join(tmpdir(), 'sso-broker-screenshots-'));
const PHONE = { width: 390, height: 760 };

type Provider = 'acronis' | 'flussonic';
const LOGIN: Record<Provider, string> = { acronis: ALICE, flussonic: VIEWER };
/** Where each simulated upstream lands after a login, showing the session's user. */
const CONSOLE: Record<Provider, string> = { acronis: '/mc/', flussonic: '/vsaas/' };

/**
 * Issue 12 end to end in a real browser (Debian's Chromium, headless): a portal asks for a link,
 * the person's browser opens it, and lands on the upstream's console logged in as the right user.
 * Every run takes screenshots of the pages a person sees; with UPDATE_SCREENSHOTS=1 they replace
 * the ones in docs/images/ that the README shows (their only varying part is the request id).
 */
describe('the login journey in a real browser', () => {
  let t: TestApp;
  let acronis: AcronisSimulator;
  let flussonic: FlussonicSimulator;
  let browser: Browser;
  let portalKey: string;
  const contexts: BrowserContext[] = [];

  const issue = async (connection: string, delivery: 'direct' | 'launch') => {
    const provider = connection.split('-')[0] as Provider;
    const res = await request(t.url)
      .post('/v1/login-links')
      .set({ Authorization: `Bearer ${portalKey}` })
      .send({ connection, user: { login: LOGIN[provider] }, delivery });
    expect(res.status).toBe(201);
    return res.body as {
      id: string;
      url: string;
      method: string;
      form?: { action: string; fields: Record<string, string> };
    };
  };
  const statusOf = async (id: string) =>
    (
      await request(t.url)
        .get(`/v1/login-links/${id}`)
        .set({ Authorization: `Bearer ${portalKey}` })
    ).body.status;
  const newPage = async (options: { javaScriptEnabled?: boolean; viewport?: typeof PHONE } = {}): Promise<Page> => {
    const context = await browser.newContext({ viewport: options.viewport ?? { width: 900, height: 640 }, ...options });
    contexts.push(context);
    return context.newPage();
  };
  const upstreamOf = (provider: Provider) => (provider === 'acronis' ? acronis.url : flussonic.url);
  /** The person is on the upstream's console, logged in as the user the portal named. */
  const expectConsole = async (page: Page, provider: Provider) => {
    await page.waitForURL((url) => url.origin === upstreamOf(provider) && url.pathname === CONSOLE[provider]);
    expect(await page.textContent('#who')).toBe(`Logged in as ${LOGIN[provider]}`);
  };
  const shot = (page: Page, name: string) => page.screenshot({ path: join(IMAGES, `${name}.png`) });

  beforeAll(async () => {
    [t, acronis, flussonic, browser] = await Promise.all([
      createTestApp(),
      startAcronisSimulator({ ...acronisOptionsFromEnv({}), port: 0 }),
      startFlussonicSimulator({ apiKey: 'watcher-key', users: [{ login: VIEWER }] }),
      launchChromium(),
    ]);
    const admin = { Authorization: `Bearer ${t.adminKey}` };
    const tenantId = (await request(t.url).post('/v1/tenants').set(admin).send({ name: 'Customer A' })).body.id;
    portalKey = (
      await request(t.url).post('/v1/api-keys').set(admin).send({ name: 'portal', role: 'portal', tenant_id: tenantId })
    ).body.key;
    const acronisBody = {
      provider: 'acronis',
      base_url: acronis.url,
      settings: {},
      credentials: { client_id: 'demo-client', client_secret: 'demo-secret' },
    };
    const flussonicBody = { provider: 'flussonic', base_url: flussonic.url, credentials: { api_key: 'watcher-key' } };
    for (const body of [
      { name: 'acronis', ...acronisBody },
      { name: 'acronis-click', ...acronisBody, launch_confirmation: 'click' },
      { name: 'flussonic', ...flussonicBody },
      { name: 'flussonic-click', ...flussonicBody, launch_confirmation: 'click' },
    ])
      await request(t.url).post(`/v1/tenants/${tenantId}/connections`).set(admin).send(body).expect(201);
  }, 60_000);

  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((c) => c.close()));
  });

  afterAll(async () => {
    await browser?.close();
    await Promise.all([t?.close(), acronis?.close(), flussonic?.close()]);
  });

  it('direct, Acronis: the answer URL logs the user in and lands on /mc/', async () => {
    const link = await issue('acronis', 'direct');
    const page = await newPage();
    await page.goto(link.url);
    await expectConsole(page, 'acronis');
    await shot(page, 'acronis-console');
  });

  it('direct, Flussonic: the answer form, POSTed by the browser, logs the user in', async () => {
    const link = await issue('flussonic', 'direct');
    const page = await newPage();
    const { action, fields } = link.form!;
    const inputs = Object.entries(fields).map(
      ([name, value]) => `<input type="hidden" name="${name}" value="${value}">`,
    );
    await page.setContent(`<form method="post" action="${action}">${inputs.join('')}<button>Go</button></form>`);
    await page.click('button');
    await expectConsole(page, 'flussonic');
  });

  for (const provider of ['acronis', 'flussonic'] as const) {
    it(`launch, auto, ${provider}: opening the link signs the user in at once; a second open shows the 410 page`, async () => {
      const link = await issue(provider, 'launch');
      const page = await newPage();
      await page.goto(link.url);
      await expectConsole(page, provider);
      expect(await statusOf(link.id)).toBe('redeemed');
      if (provider === 'flussonic') await shot(page, 'flussonic-console');
      const again = await page.goto(link.url);
      expect(again?.status()).toBe(410);
      expect(await page.textContent('h1')).toBe('This sign-in link is no longer valid');
      if (provider === 'acronis') await shot(page, 'launch-410');
    });

    it(`launch, click, ${provider}: a scanner pass (HEAD, GET without scripts, GET following redirects) spends nothing; only the click redeems`, async () => {
      const link = await issue(`${provider}-click`, 'launch');
      // Scanners: a HEAD, a plain client following redirects, a browser with JavaScript off.
      expect((await fetch(link.url, { method: 'HEAD' })).status).toBe(200);
      const followed = await fetch(link.url, { redirect: 'follow' });
      expect([followed.status, followed.url]).toEqual([200, link.url]);
      const scanner = await newPage({ javaScriptEnabled: false });
      expect((await scanner.goto(link.url))?.status()).toBe(200);
      expect(await statusOf(link.id)).toBe('issued');

      const page = await newPage({ viewport: PHONE });
      await page.goto(link.url);
      const button = page.getByRole('button', {
        name: `Continue to ${provider === 'acronis' ? 'Acronis Cyber Protect Cloud' : 'Flussonic Watcher'}`,
      });
      await button.waitFor();
      if (provider === 'acronis') await shot(page, 'launch-continue-click');
      // The page waits for the person: with the network idle, nothing has been redeemed.
      await page.waitForLoadState('networkidle');
      expect(await statusOf(link.id)).toBe('issued');
      expect(page.url()).toBe(link.url);
      await button.click();
      await expectConsole(page, provider);
      expect(await statusOf(link.id)).toBe('redeemed');
    });
  }

  it('launch, auto, without JavaScript: a scanner does not spend the link, and a person can still sign in with the buttons', async () => {
    const link = await issue('flussonic', 'launch');
    const page = await newPage({ javaScriptEnabled: false, viewport: PHONE });
    await page.goto(link.url);
    expect(await statusOf(link.id)).toBe('issued');
    await shot(page, 'launch-continue-auto-nojs');
    await page.getByRole('button', { name: 'Continue to Flussonic Watcher' }).click();
    await page.waitForURL(link.url);
    await page.getByRole('button', { name: 'Continue to Flussonic Watcher' }).waitFor();
    expect(await statusOf(link.id)).toBe('redeemed');
    await shot(page, 'launch-handoff');
    await page.getByRole('button', { name: 'Continue to Flussonic Watcher' }).click();
    await expectConsole(page, 'flussonic');
  });

  it('the pages obey their CSP: no violation is reported on the continue and hand-off pages', async () => {
    const link = await issue('flussonic', 'launch');
    const page = await newPage();
    const violations: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) violations.push(message.text());
    });
    await page.goto(link.url);
    await expectConsole(page, 'flussonic');
    expect(violations).toEqual([]);
  });
});
