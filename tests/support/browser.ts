/**
 * Browser tests: the real built app listening on a free port, driven by playwright-core with
 * Debian's Chromium (/usr/bin/chromium, `apt-get install -y chromium`). Never downloads a browser.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { ROOT, startApp, type TestApp } from './strapi';
import { stopWorker } from './fixtures';

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const SCREENSHOTS = path.join(ROOT, 'artifacts', 'screenshots');
export const PASSWORD = 'Test-password-1234';

/** The admin panel is served from dist/build: `npm run build` (or `npx strapi build`) must have run. */
export const adminBuilt = () => fs.existsSync(path.join(ROOT, 'dist', 'build', 'index.html'));
export const chromiumInstalled = () => fs.existsSync(CHROMIUM);

export const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });

export interface BrowserApp extends TestApp {
  url: string;
}

/** Boots the app (tests/support/strapi.ts) and makes it listen on 127.0.0.1:<free port>. */
export const startBrowserApp = async (env: Record<string, string> = {}): Promise<BrowserApp> => {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const app = await startApp({ env: { HOST: '127.0.0.1', PORT: String(port), PUBLIC_URL: url, ...env } });
  await app.strapi.listen();
  return { ...app, url };
};

export interface Browser {
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

/** A fresh headless Chromium profile (its own --user-data-dir), its page's errors logged. */
export const launchBrowser = async (): Promise<Browser> => {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pg-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
    viewport: { width: 1440, height: 1000 },
    acceptDownloads: true,
  });
  context.setDefaultTimeout(30_000);
  const page = context.pages()[0] ?? (await context.newPage());
  // the admin's own errors belong in the test's output, next to what failed
  page.on('pageerror', (err) => console.warn('[browser error]', err.message));
  return {
    context,
    page,
    async close() {
      await context.close();
      fs.rmSync(userDataDir, { recursive: true, force: true });
    },
  };
};

/** Creates an admin user with a role (by code) and a known password. */
export const createAdmin = async (app: TestApp, roleCode: string, firstname = 'Test') => {
  const email = `${roleCode}-${crypto.randomBytes(4).toString('hex')}@example.com`;
  const role = await app.strapi.db.query('admin::role').findOne({ where: { code: roleCode } });
  if (!role) throw new Error(`no admin role ${roleCode}`);
  await (app.strapi.service('admin::user') as any).create({
    email,
    firstname,
    lastname: roleCode.replace('strapi-', ''),
    password: PASSWORD,
    isActive: true,
    registrationToken: null,
    roles: [role.id],
  });
  return { email, password: PASSWORD };
};

/** Logs in through the admin's login form. */
export const login = async (page: Page, baseUrl: string, email: string, password = PASSWORD) => {
  await page.goto(`${baseUrl}/admin/auth/login`);
  await page.getByLabel(/email/i).fill(email);
  await page.getByLabel(/password/i).first().fill(password);
  await page.getByRole('button', { name: /log ?in/i }).click();
  await page.waitForURL((u) => !u.pathname.includes('/auth/'), { timeout: 30_000 });
};

/** Full-page screenshot into artifacts/screenshots/<name>.png. */
export const screenshot = async (page: Page, name: string) => {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  // The admin scrolls inside its own containers: show each page from its top.
  await page.evaluate(() => {
    window.scrollTo(0, 0);
    document.querySelectorAll<HTMLElement>('main, [data-strapi-main], div').forEach((el) => {
      if (el.scrollTop > 0) el.scrollTop = 0;
    });
  });
  await page.mouse.move(1400, 990); // no stray hover tooltips
  await page.screenshot({ path: file, fullPage: true });
  return file;
};

/**
 * A screenshot the README shows (docs/screenshots/<name>.png, viewport only, 1440 x 1000): each
 * e2e run writes it again, so the pictures a newcomer sees are the admin as it is.
 */
export const README_SCREENSHOTS = path.join(ROOT, 'docs', 'screenshots');
export const readmeScreenshot = async (page: Page, name: string) => {
  fs.mkdirSync(README_SCREENSHOTS, { recursive: true });
  const file = path.join(README_SCREENSHOTS, `${name}.png`);
  // Strapi's own announcement over the top of every page is not the plugin: dismiss it (it stays dismissed).
  const announcement = page.getByText(/^Introducing the new Media Library/).first();
  if (await announcement.isVisible().catch(() => false)) {
    await announcement.locator('xpath=ancestor::*[.//button][1]').getByRole('button', { name: 'Close' }).click();
    await announcement.waitFor({ state: 'detached' });
  }
  await page.mouse.move(1400, 990);
  await page.screenshot({ path: file, fullPage: false });
  return file;
};

/** The admin JWT the panel stored (cookie or localStorage), for calling the admin API as that user. */
export const adminToken = async (page: Page): Promise<string> => {
  const fromStorage = await page.evaluate(() => window.localStorage.getItem('jwtToken'));
  if (fromStorage) return JSON.parse(fromStorage);
  const cookies = await page.context().cookies();
  const cookie = cookies.find((c) => c.name === 'jwtToken');
  if (!cookie) throw new Error('no admin token in the browser');
  return decodeURIComponent(cookie.value);
};

/**
 * `describe` when the built admin and Chromium are there, else `describe.skip` with a line that
 * says what to install: a browser suite never fails for want of a browser.
 */
export function describeInBrowser(title: string, fn: () => void): void {
  const ready = adminBuilt() && chromiumInstalled();
  if (!ready) {
    // eslint-disable-next-line no-console
    console.warn('[e2e] skipped: needs the built admin (npm run build) and /usr/bin/chromium (apt-get install -y chromium)');
  }
  (ready ? describe : describe.skip)(title, fn);
}

/** A step runner whose failures leave a screenshot named `failure-<prefix><step>`: the artifact shows what went wrong. */
export const stepsWithScreenshots =
  (prefix = '') =>
  async <T>(page: Page, name: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (error) {
      await screenshot(page, `failure-${prefix}${name}`).catch(() => undefined);
      throw error;
    }
  };

/** Polls a condition from the test side (the admin's CSP forbids Playwright's in-page eval polling). */
export const until = async (what: string, fn: () => Promise<boolean>, timeout = 30_000, interval = 500): Promise<void> => {
  const end = Date.now() + timeout;
  while (Date.now() < end) {
    if (await fn()) return;
    await new Promise((r) => setTimeout(r, interval));
  }
  throw new Error(`timed out waiting for ${what}`);
};

/** A call to the admin API from inside the page, as the user logged in there. */
export const adminApi = async (page: Page, baseUrl: string, method: string, url: string, body?: unknown): Promise<{ status: number; body: any }> => {
  const token = await adminToken(page);
  return page.evaluate(
    async ({ base, method, url, body, token }) => {
      const res = await fetch(`${base}${url}`, {
        method,
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, body: await res.json().catch(() => null) };
    },
    { base: baseUrl, method, url, body, token }
  );
};

export interface EditorSession {
  app: BrowserApp;
  browser: Browser;
  page: Page;
  editor: { email: string; password: string };
  /** Every console message the page logged, for suites that fail on the plugin's own warnings. */
  console: { type: string; text: string }[];
  close(): Promise<void>;
}

/**
 * The set-up every browser suite shares: the app on a free port, an admin with a role, a fresh
 * Chromium, and (unless `login: false`) that admin logged in. `prepare` runs after the app is up
 * and before the browser starts, for the suite's own products and shots; `quietWorker` stops the
 * dispatcher first so shots stay in the states the suite wrote.
 */
export const openEditorSession = async (
  options: {
    role?: string;
    firstname?: string;
    quietWorker?: boolean;
    login?: boolean;
    env?: Record<string, string>;
    prepare?: (app: BrowserApp) => Promise<void>;
  } = {}
): Promise<EditorSession> => {
  const app = await startBrowserApp(options.env);
  let browser: Browser | undefined;
  try {
    if (options.quietWorker) {
      await stopWorker(app);
    }
    const editor = await createAdmin(app, options.role ?? 'strapi-super-admin', options.firstname ?? 'Edith');
    await options.prepare?.(app);
    const opened = await launchBrowser();
    browser = opened;
    const messages: { type: string; text: string }[] = [];
    opened.page.on('console', (msg) => messages.push({ type: msg.type(), text: msg.text() }));
    if (options.login !== false) await login(opened.page, app.url, editor.email, editor.password);
    return {
      app,
      browser: opened,
      page: opened.page,
      editor,
      console: messages,
      async close() {
        await opened.close().catch(() => undefined);
        await app.stop();
      },
    };
  } catch (error) {
    // A set-up that fails half-way leaves the suite no session to close: stop what started here.
    await browser?.close().catch(() => undefined);
    await app.stop();
    throw error;
  }
};
