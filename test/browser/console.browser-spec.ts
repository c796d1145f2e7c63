import AxeBuilder from '@axe-core/playwright';
import { acronisOptionsFromEnv, AcronisSimulator, startAcronisSimulator } from '@app/acronis-simulator';
import { AuditCheckpointer } from '@app/audit';
import { FlussonicSimulator, startFlussonicSimulator } from '@app/flussonic-simulator';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import request from 'supertest';
import { createTestApp, TestApp } from '../utils/create-app';
import { launchChromium } from './chromium';

/** The page's navigator, typed here: the test tsconfig has no DOM library. */
interface ClipboardHost {
  navigator: { clipboard: { readText(): Promise<string> } };
}

interface AnimationHost {
  document: {
    getAnimations(): Array<{ finished: Promise<unknown>; effect: { getTiming(): { iterations?: number } } | null }>;
  };
}

const ALICE = 'alice@customer-a.example';
const VIEWER = 'viewer@customer-a.example';
const DESKTOP = { width: 1280, height: 860 };
const PHONE = { width: 390, height: 844 };
/** UPDATE_SCREENSHOTS=1 rewrites the committed docs/images/console/; otherwise they go to a temporary folder. */
const IMAGES =
  process.env.UPDATE_SCREENSHOTS === '1'
    ? join(__dirname, '../../docs/images/console')
    : mkdtempSync(join(tmpdir(), 'sso-broker-console-screenshots-'));

/**
 * The web console (issue 14) in a real browser: the admin's and the auditor's journeys, the
 * refusals, an accessibility scan of every page (axe: no serious or critical violation), and a
 * screenshot of every page at 1280 px and at 390 px. One browser and one broker for the file.
 */
describe('the web console in a real browser', () => {
  let t: TestApp;
  let acronis: AcronisSimulator;
  let flussonic: FlussonicSimulator;
  let browser: Browser;
  let elsewhere: Server;
  const contexts: BrowserContext[] = [];
  const admin = () => ({ Authorization: `Bearer ${t.adminKey}` });
  /** Tenant with more than one page of audit events, and its tenant-bound auditor key. */
  let audited: { id: string; auditorKey: string; auditorId: string };
  let otherTenant: string;

  const newPage = async (): Promise<Page> => {
    const context = await browser.newContext({ viewport: DESKTOP });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: t.url });
    contexts.push(context);
    return context.newPage();
  };
  const newKey = async (body: object) => {
    const res = await request(t.url).post('/v1/api-keys').set(admin()).send(body);
    expect(res.status).toBe(201);
    return res.body as { id: string; key: string };
  };
  const signIn = async (page: Page, key: string) => {
    await page.goto(`${t.url}/console/`);
    await page.getByLabel('API key').fill(key);
    await page.getByRole('button', { name: 'Sign in' }).click();
  };
  /** axe on the page as it is: serious and critical violations, by rule and element. */
  const a11y = async (page: Page, name: string): Promise<string[]> => {
    // Running transitions end first (endless ones, such as a loader's, are left alone): mid-fade,
    // axe reads blended colours, and a title fading in measured 1.15:1 on a fast machine.
    await page.evaluate(() =>
      Promise.all(
        (globalThis as unknown as AnimationHost).document
          .getAnimations()
          .filter((animation) => animation.effect?.getTiming().iterations !== Infinity)
          .map((animation) => animation.finished.catch(() => undefined)),
      ),
    );
    const results = await new AxeBuilder({ page }).analyze();
    return results.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map(
        (v) =>
          `${name}: ${v.id} (${v.impact}) at ${v.nodes.map((n) => `${n.target.join(' ')} ${n.failureSummary ?? ''}`).join(', ')}`,
      );
  };
  /** Scans the page, then screenshots it at 1280 px and at 390 px. */
  const capture = async (page: Page, name: string): Promise<string[]> => {
    const violations = await a11y(page, name);
    await page.screenshot({ path: join(IMAGES, `${name}.png`) });
    await page.setViewportSize(PHONE);
    await page.screenshot({ path: join(IMAGES, `${name}-390.png`) });
    await page.setViewportSize(DESKTOP);
    return violations;
  };
  /** Picks an option of a Mantine Select (a combobox and a listbox). */
  const choose = async (page: Page, label: string, option: string, within = page.locator('body')) => {
    await within.getByRole('combobox', { name: label, exact: true }).click();
    await page.getByRole('option', { name: option, exact: true }).click();
  };

  beforeAll(async () => {
    mkdirSync(IMAGES, { recursive: true });
    [t, acronis, flussonic, browser] = await Promise.all([
      createTestApp({
        env: {
          RATE_LIMIT_PER_KEY_PER_MINUTE: '100000',
          RATE_LIMIT_PER_IP_PER_MINUTE: '100000',
        },
      }),
      startAcronisSimulator({ ...acronisOptionsFromEnv({}), port: 0 }),
      startFlussonicSimulator({ apiKey: 'watcher-key', users: [{ login: VIEWER }] }),
      launchChromium(),
    ]);
    // Another site (another port is another origin, but the same site for SameSite cookies).
    elsewhere = createServer((_req, res) => {
      res.setHeader('Content-Type', 'text/html');
      res.end(
        `<form method="post" action="${t.url}/v1/tenants" enctype="application/x-www-form-urlencoded">` +
          `<input name="name" value="Planted By Another Site"><button>Go</button></form>`,
      );
    }).listen(0, '127.0.0.1');
    const tenant = await request(t.url).post('/v1/tenants').set(admin()).send({ name: 'Audited Co' });
    otherTenant = (await request(t.url).post('/v1/tenants').set(admin()).send({ name: 'Other Co' })).body.id;
    const auditor = await newKey({ name: 'audited auditor', role: 'auditor', tenant_id: tenant.body.id });
    audited = { id: tenant.body.id, auditorKey: auditor.key, auditorId: auditor.id };
    // 60 renames: more than one page (50) of tenant.updated events.
    for (let i = 0; i < 60; i++)
      await request(t.url)
        .patch(`/v1/tenants/${audited.id}`)
        .set(admin())
        .send({ name: `Audited Co ${i}` })
        .expect(200);
    await request(t.url).patch(`/v1/tenants/${audited.id}`).set(admin()).send({ name: 'Audited Co' }).expect(200);
    await t.app.get(AuditCheckpointer).run();
  }, 90_000);

  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((c) => c.close()));
  });

  afterAll(async () => {
    await browser?.close();
    elsewhere?.close();
    await Promise.all([t?.close(), acronis?.close(), flussonic?.close()]);
  });

  it('admin: sign in → create a tenant → Acronis and Flussonic connections → check both → portal key (copy) → test link logs in on the simulator', async () => {
    const violations: string[] = [];
    const page = await newPage();
    await page.goto(`${t.url}/console/`);
    await page.getByLabel('API key').waitFor();
    violations.push(...(await capture(page, 'sign-in')));
    await signIn(page, t.adminKey);
    await page.getByRole('heading', { name: 'Login links in the last 24 hours' }).waitFor();
    await page.getByText('No link was issued in this window.').waitFor();
    violations.push(...(await capture(page, 'home')));

    await page.getByRole('link', { name: 'Tenants' }).click();
    await page.getByLabel('New tenant name').fill('Customer Console');
    await page.getByRole('button', { name: 'Create tenant' }).click();
    await page.getByRole('heading', { name: 'Customer Console', level: 2 }).waitFor();
    const tenantId = page.url().split('/tenants/')[1];

    // Acronis, with an API client and the click-to-continue launch page.
    const form = page.getByRole('form', { name: 'Add a connection' });
    await form.getByRole('textbox', { name: 'Name', exact: true }).fill('acronis-main');
    await form.getByLabel('Base URL').fill(acronis.url);
    await form.getByLabel('client id').fill('demo-client');
    await form.getByLabel('client secret').fill('demo-secret');
    await choose(page, 'Launch confirmation', 'click', form);
    await form.getByRole('button', { name: 'Add connection' }).click();
    const acronisCard = page.getByRole('region', { name: 'Connection acronis-main' });
    await acronisCard.waitFor();
    // A problem+json field error is shown next to its field: a Flussonic connection without a base URL scheme.
    await choose(page, 'Provider', 'Flussonic Watcher', form);
    await form.getByRole('textbox', { name: 'Name', exact: true }).fill('flussonic-main');
    await form.getByLabel('Base URL').fill('not a url');
    await form.getByLabel('api key').fill('watcher-key');
    await form.getByRole('button', { name: 'Add connection' }).click();
    await form
      .getByText(/base_url/)
      .first()
      .waitFor();
    await form.getByLabel('Base URL').fill(flussonic.url);
    await form.getByRole('button', { name: 'Add connection' }).click();
    const flussonicCard = page.getByRole('region', { name: 'Connection flussonic-main' });
    await flussonicCard.waitFor();
    for (const card of [acronisCard, flussonicCard]) {
      await card.getByRole('button', { name: 'Check' }).click();
      await card.getByRole('status').getByText('Check passed').waitFor();
    }
    violations.push(...(await capture(page, 'tenant')));
    const stored = await request(t.url).get(`/v1/tenants/${tenantId}/connections`).set(admin());
    expect(
      stored.body.data.map((c: { name: string; launch_confirmation: string }) => [c.name, c.launch_confirmation]),
    ).toEqual(
      expect.arrayContaining([
        ['acronis-main', 'click'],
        ['flussonic-main', 'auto'],
      ]),
    );
    expect(JSON.stringify(stored.body)).not.toContain('demo-secret');

    await page.getByRole('link', { name: 'API keys' }).click();
    const keyForm = page.getByRole('form', { name: 'Create an API key' });
    await keyForm.getByRole('textbox', { name: 'Name', exact: true }).fill('portal from console');
    await choose(page, 'Tenant', 'Customer Console', keyForm);
    await keyForm.getByRole('button', { name: 'Create key' }).click();
    const shown = (await page.getByTestId('new-key').textContent())!.trim();
    expect(shown).toMatch(/^sbk_p_/);
    await page.getByRole('button', { name: 'Copy key' }).click();
    await page.getByRole('button', { name: 'Copied' }).waitFor();
    expect(await page.evaluate(() => (globalThis as unknown as ClipboardHost).navigator.clipboard.readText())).toBe(
      shown,
    );
    violations.push(...(await capture(page, 'api-key-created')));
    await page.getByRole('button', { name: 'Done' }).click();
    await page.getByRole('cell', { name: 'portal from console', exact: true }).waitFor();
    violations.push(...(await capture(page, 'api-keys')));
    // The copied key works as a portal key.
    const portal = await request(t.url)
      .post('/v1/login-links')
      .set('Authorization', `Bearer ${shown}`)
      .send({ connection: 'flussonic-main', user: { login: VIEWER }, delivery: 'launch' });
    expect(portal.status).toBe(201);

    await page.goto(`${t.url}/console/#/tenants/${tenantId}`);
    const testLink = page.getByRole('form', { name: 'Issue a test link' });
    await choose(page, 'Connection', 'acronis-main (acronis)', testLink);
    await testLink.getByLabel('User login').fill(ALICE);
    const [launched] = await Promise.all([
      page.context().waitForEvent('page'),
      testLink.getByRole('button', { name: 'Issue and open in a new tab' }).click(),
    ]);
    await launched.getByRole('button', { name: /^Continue to/ }).click();
    await launched.waitForURL((url) => url.origin === acronis.url && url.pathname === '/mc/');
    expect(await launched.textContent('#who')).toBe(`Logged in as ${ALICE}`);

    await page.getByRole('link', { name: 'Home' }).click();
    await page.getByTestId('total-issued').getByText('2').waitFor();
    await page.getByRole('heading', { name: 'Issued per provider' }).waitFor();
    violations.push(...(await capture(page, 'home-with-links')));
    expect(violations).toEqual([]);
  });

  it('auditor: sign in → filter by tenant and action → page and keep position → open an event → export CSV → verify', async () => {
    const violations: string[] = [];
    const auditor = await newKey({ name: 'global auditor', role: 'auditor' });
    const page = await newPage();
    await signIn(page, auditor.key);
    await page.getByRole('heading', { name: 'Login links in the last 24 hours' }).waitFor();
    // No admin page is offered to an auditor.
    await expect(page.getByRole('link', { name: 'Tenants' }).count()).resolves.toBe(0);
    await page.getByRole('link', { name: 'Audit log' }).click();
    const filters = page.getByRole('form', { name: 'Audit filters' });
    await filters.getByLabel('Tenant id').fill(audited.id);
    await filters.getByRole('combobox', { name: 'Action', exact: true }).click();
    await page.getByRole('option', { name: 'tenant.updated', exact: true }).click();
    await page.keyboard.press('Escape');
    await filters.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/action=tenant.updated/);
    const table = page.getByRole('table', { name: 'Audit events' });
    /** The page the URL names has arrived (not the previous one kept on screen while it loads). */
    const loaded = () => page.locator('table[aria-busy="false"]').waitFor();
    await loaded();
    const rows = table.locator('tbody tr');
    await expect(rows.count()).resolves.toBe(50);
    expect(await rows.allTextContents()).toEqual(Array(50).fill(expect.stringContaining('tenant.updated')));
    violations.push(...(await capture(page, 'audit')));

    await page.getByRole('button', { name: 'Next page' }).click();
    await page.getByText('page 2').waitFor();
    await loaded();
    await expect(rows.count()).resolves.toBe(11);
    const firstOfPage2 = await rows.first().textContent();
    await page.reload();
    await page.getByText('page 2').waitFor();
    await loaded();
    expect(await rows.first().textContent()).toBe(firstOfPage2);
    await page.getByRole('button', { name: 'Previous page' }).click();
    await page.getByText('page 1').waitFor();
    await loaded();
    await expect(rows.count()).resolves.toBe(50);

    await rows.first().getByRole('button').click();
    const drawer = page.getByRole('dialog', { name: 'Audit event' });
    for (const field of ['seq', 'hash', 'previous hash', 'request id'])
      await drawer.getByRole('rowheader', { name: field, exact: true }).waitFor();
    await drawer.getByText('"changes"').first().waitFor(); // metadata: what the rename changed
    violations.push(...(await capture(page, 'audit-event')));
    await page.keyboard.press('Escape');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Export CSV' }).click(),
    ]);
    const csv = readFileSync(await download.path(), 'utf8')
      .trim()
      .split('\n');
    expect(csv[0]).toContain('action');
    expect(csv).toHaveLength(1 + 61);
    expect(csv.slice(1).every((line) => line.includes('tenant.updated') && line.includes(audited.id))).toBe(true);

    await page.getByRole('button', { name: /^Verify/ }).click();
    const banner = page.getByRole('status').filter({ hasText: 'Chain intact' });
    await banner.waitFor();
    await banner.getByText(/signed checkpoints? checked; latest covers seq \d+/).waitFor();
    violations.push(...(await capture(page, 'audit-verified')));
    expect(violations).toEqual([]);
  });

  it('refuses: a portal key cannot sign in; an auditor gets 403 on admin calls; a tenant auditor sees only its tenant; a revoked key’s session ends; a cross-site POST changes nothing', async () => {
    const page = await newPage();
    const portal = await newKey({ name: 'a portal', role: 'portal', tenant_id: audited.id });
    await signIn(page, portal.key);
    const refusal = page.getByRole('alert').filter({ hasText: 'Sign-in refused' });
    await refusal.getByText('console_role_not_allowed').waitFor();
    expect(await a11y(page, 'sign-in refused')).toEqual([]);

    // The tenant auditor: only its own tenant, no admin action even when called directly.
    await signIn(page, audited.auditorKey);
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('table', { name: 'Audit events' }).locator('tbody tr').first().waitFor();
    const seen = await page.evaluate(async (other) => {
      const session = (await (await fetch('/v1/console/session')).json()) as { csrf_token: string };
      const own = (await (await fetch('/v1/audit-events?limit=500')).json()) as { data: Array<{ tenant_id: string }> };
      const foreign = await fetch(`/v1/audit-events?tenant_id=${other}`);
      const stats = await fetch(`/v1/audit-stats?tenant_id=${other}`);
      const create = await fetch('/v1/tenants', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': session.csrf_token },
        body: JSON.stringify({ name: 'Auditor Made' }),
      });
      return {
        tenants: [...new Set(own.data.map((e) => e.tenant_id))],
        foreign: [foreign.status, ((await foreign.json()) as { code: string }).code],
        stats: stats.status,
        create: [create.status, ((await create.json()) as { code: string }).code],
      };
    }, otherTenant);
    expect(seen).toEqual({
      tenants: [audited.id],
      foreign: [404, 'tenant_not_found'],
      stats: 404,
      create: [403, 'forbidden_role'],
    });

    // Revoking the key ends the session at the next request: the console is back at sign-in.
    await request(t.url).delete(`/v1/api-keys/${audited.auditorId}`).set(admin()).expect(204);
    await page.reload();
    await page.getByLabel('API key').waitFor();

    // A form on another origin of the same site POSTs to the broker with the admin's cookie.
    await signIn(page, t.adminKey);
    await page.getByRole('heading', { name: /^Login links/ }).waitFor();
    await page.goto(`http://127.0.0.1:${(elsewhere.address() as AddressInfo).port}/`);
    const [answer] = await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Go' }).click()]);
    expect(answer?.status()).toBeGreaterThanOrEqual(400);
    const planted = await request(t.url).get('/v1/tenants?limit=500').set(admin());
    expect(planted.body.data.map((x: { name: string }) => x.name)).not.toContain('Planted By Another Site');
  });
});
