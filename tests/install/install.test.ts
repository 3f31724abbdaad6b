/**
 * The plugin installed as a stranger installs it: packed on its own outside the repository, put
 * into a new app made by Strapi's own generator (pinned to the repository's Strapi), enabled with
 * the README's snippet merged into the generated config/plugins.ts, type-checked and compiled,
 * started, and used over HTTP.
 *
 * What keeps it to a few minutes: the app is installed from the npm cache the repository's own
 * install filled (same Strapi, so nearly every package is there; the registry is asked for the
 * rest), in one `npm install` that adds the tarball; it runs on PostgreSQL (the suites' server, a
 * schema of its own) because the generator's SQLite driver is a native module compiled from source
 * where no prebuilt binary can be fetched; and the host's admin bundle is not built (minutes of
 * Vite for a page no step opens): the plugin's admin entry is instead resolved and bundled with
 * everything it imports from the host's node_modules. Still needs the npm registry and PostgreSQL,
 * so it runs only with PRODUCT_GALLERY_INSTALL_TEST=1 (jest.config.js; CI runs it).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { dropSchema, freshSchema, pgUrl } from '../support/postgres';

const ROOT = path.resolve(__dirname, '../..');
const PLUGIN = path.join(ROOT, 'plugins/product-gallery');
const STRAPI_VERSION: string = require(path.join(ROOT, 'package.json')).dependencies['@strapi/strapi'];
const MINUTE = 60_000;

/** The host app's environment: the machine's, without what the test runner or the repository's app set. */
const hostEnv = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => {
  const own = /^(NODE_ENV|DATABASE_|REPLICATE_|PRODUCT_GALLERY_|GALLERY_|REDIS_URL|UPLOAD_PROVIDER|S3_|JEST_)/;
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !own.test(key)));
  return { ...env, CI: 'true', STRAPI_TELEMETRY_DISABLED: 'true', BROWSER: 'none', ...extra };
};

const steps: Array<{ step: string; seconds: number }> = [];

/** Runs a command to its end; a failure throws with the end of what it printed. */
const run = (step: string, cmd: string, args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs: number }) =>
  new Promise<string>((resolve, reject) => {
    const started = Date.now();
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? hostEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      steps.push({ step, seconds: Math.round((Date.now() - started) / 1000) });
      if (code === 0) resolve(output);
      else reject(new Error(`${step}: \`${cmd} ${args.join(' ')}\` ended with ${signal ?? code}:\n${output.slice(-4000)}`));
    });
  });

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });

/** The README's plugin entry, as a host pastes it into the object its config/plugins.ts returns. */
const readmeEntry = () => {
  const lines = fs.readFileSync(path.join(PLUGIN, 'README.md'), 'utf8').split('\n');
  const start = lines.findIndex((line) => line.startsWith("  'product-gallery': {"));
  const end = lines.findIndex((line, i) => i > start && line === '  },');
  if (start < 0 || end < 0) throw new Error("the plugin README has no `'product-gallery'` entry to merge");
  return lines.slice(start, end + 1).join('\n');
};

/** Replicate's signature over a delivery (Standard Webhooks), with the account's secret. */
const sign = (secret: string, id: string, timestamp: number, body: string) =>
  `v1,${createHmac('sha256', Buffer.from(secret.slice('whsec_'.length), 'base64')).update(`${id}.${timestamp}.${body}`).digest('base64')}`;

/** Run with `node -e` in the host: esbuild (the host has it for its admin build) from the host's node_modules. */
const bundleAdminEntry = `
const esbuild = require(require.resolve('esbuild', { paths: [process.cwd()] }));
esbuild
  .build({
    stdin: { contents: "import 'strapi-plugin-product-gallery/strapi-admin';", resolveDir: process.cwd() },
    bundle: true, write: false, platform: 'browser', format: 'esm', logLevel: 'error',
    external: JSON.parse(process.argv[1]),
  })
  .catch(() => process.exit(1));
`;

// Also skipped when a command line's --testPathIgnorePatterns replaces jest.config.js's.
const describeInstall = process.env.PRODUCT_GALLERY_INSTALL_TEST === '1' ? describe : describe.skip;

describeInstall('installing the packed plugin into a new Strapi app', () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'pg-install-'));
  const host = path.join(work, 'host');
  let schema: string | null = null;
  let server: ChildProcess | null = null;
  let log = '';
  const began = Date.now();

  afterAll(async () => {
    if (server && server.exitCode === null) {
      server.kill('SIGTERM');
      await new Promise((resolve) => server!.once('close', resolve));
    }
    if (schema) await dropSchema(schema);
    const removing = Date.now();
    fs.rmSync(work, { recursive: true, force: true });
    steps.push({ step: 'remove the app', seconds: Math.round((Date.now() - removing) / 1000) });
    const minutes = ((Date.now() - began) / MINUTE).toFixed(1);
    console.log(`install test: ${minutes} min\n${steps.map((s) => `  ${s.step}: ${s.seconds} s`).join('\n')}`);
  });

  it('packs, installs, type-checks, boots and serves', async () => {
    // 1. Pack the plugin from a copy outside the repository: its prepack may use only what it ships.
    // CI has built it, and other suites may be using that build: it is not replaced there.
    const built = fs.existsSync(path.join(PLUGIN, 'dist/server/index.js')) && fs.existsSync(path.join(PLUGIN, 'dist/admin/index.mjs'));
    if (!(process.env.CI === 'true' && built)) {
      await run('build the plugin', 'npm', ['run', 'build', '--workspace', 'strapi-plugin-product-gallery'], { cwd: ROOT, timeoutMs: 10 * MINUTE });
    }
    const copy = path.join(work, 'plugin');
    fs.cpSync(PLUGIN, copy, { recursive: true, filter: (src) => path.basename(src) !== 'node_modules' });
    await run('npm pack', 'npm', ['pack', '--pack-destination', work], { cwd: copy, timeoutMs: 5 * MINUTE });
    const tarball = fs.readdirSync(work).find((f) => f.endsWith('.tgz'));
    expect(tarball).toBeDefined();
    const listing = (await run('list the tarball', 'tar', ['-tzf', path.join(work, tarball!)], { cwd: work, timeoutMs: MINUTE }))
      .split('\n')
      .map((line) => line.replace(/^package\//, ''));
    const pkg = JSON.parse(fs.readFileSync(path.join(PLUGIN, 'package.json'), 'utf8'));
    // `source` conditions name this repository's entries for `strapi-plugin verify`: not shipped.
    const targets = (value: unknown): string[] =>
      typeof value === 'string'
        ? [value]
        : Object.entries(value as object).flatMap(([condition, target]) => (condition === 'source' ? [] : targets(target)));
    for (const target of targets(pkg.exports)) expect(listing).toContain(target.replace(/^\.\//, ''));
    expect(listing).toEqual(expect.arrayContaining(['README.md', 'LICENSE', 'package.json']));

    // 2. A new app from Strapi's generator, on PostgreSQL; its dependencies are installed with the plugin's.
    const db = new URL(pgUrl());
    await run(
      'create-strapi',
      'npx',
      ['-y', `create-strapi@${STRAPI_VERSION}`, host, '--non-interactive', '--skip-cloud', '--no-run', '--use-npm',
        '--typescript', '--no-example', '--no-git-init', '--no-install', '--dbclient', 'postgres',
        '--dbhost', db.hostname, '--dbport', db.port || '5432', '--dbname', db.pathname.slice(1),
        '--dbusername', decodeURIComponent(db.username), '--dbpassword', decodeURIComponent(db.password)],
      { cwd: work, timeoutMs: 5 * MINUTE }
    );
    const generatedPkg = JSON.parse(fs.readFileSync(path.join(host, 'package.json'), 'utf8'));
    expect(generatedPkg.dependencies['@strapi/strapi']).toBe(STRAPI_VERSION);

    // 3. The app's dependencies and the tarball, the README's entry merged into the generated config.
    await run('npm install (app and tarball)', 'npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', path.join(work, tarball!)], {
      cwd: host,
      timeoutMs: 20 * MINUTE,
    });
    const pluginsTs = path.join(host, 'config/plugins.ts');
    const generated = fs.readFileSync(pluginsTs, 'utf8');
    const close = generated.lastIndexOf('\n});');
    expect(close).toBeGreaterThan(0);
    fs.writeFileSync(pluginsTs, `${generated.slice(0, close)}\n${readmeEntry()}${generated.slice(close)}`);

    // 4. The host's type-check and compile: what `strapi build` does before bundling the admin, which
    // `strapi start` runs from dist/ (tsconfig's noEmitOnError: a type error fails the step).
    await run('type-check and compile the host', 'npx', ['tsc', '-p', 'tsconfig.json'], { cwd: host, timeoutMs: 5 * MINUTE });
    expect(fs.existsSync(path.join(host, 'dist/config/plugins.js'))).toBe(true);
    // The admin entry as the host's bundler finds it (the `import` condition of ./strapi-admin), with
    // every module it pulls in resolved from the host's node_modules: what the host provides
    // itself (the plugin's peers) is left out.
    const peers = Object.keys(pkg.peerDependencies).flatMap((name) => [name, `${name}/*`]);
    await run('bundle the admin entry', 'node', ['-e', bundleAdminEntry, JSON.stringify(peers)], { cwd: host, timeoutMs: 5 * MINUTE });

    // 5. Started with the plugin's settings in the environment only (the merged entry maps none).
    schema = await freshSchema();
    const port = await freePort();
    const secret = `whsec_${randomBytes(24).toString('base64')}`;
    const base = `http://127.0.0.1:${port}`;
    // The CLI itself, not `npm run start`: one process, which the end of the test stops.
    server = spawn(path.join(host, 'node_modules/.bin/strapi'), ['start'], {
      cwd: host,
      env: hostEnv({
        NODE_ENV: 'production',
        HOST: '127.0.0.1',
        PORT: String(port),
        DATABASE_SCHEMA: schema,
        REPLICATE_WEBHOOK_BASE_URL: 'https://shop.example.com',
        REPLICATE_WEBHOOK_SECRET: secret,
      }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    server.stdout!.on('data', (d) => (log += d));
    server.stderr!.on('data', (d) => (log += d));
    const bootStarted = Date.now();
    for (;;) {
      if (server.exitCode !== null) throw new Error(`the host app exited while starting:\n${log.slice(-4000)}`);
      const up = await fetch(`${base}/_health`).then((r) => r.status === 204, () => false);
      if (up) break;
      if (Date.now() - bootStarted > 5 * MINUTE) throw new Error(`the host app did not answer in 5 minutes:\n${log.slice(-4000)}`);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    steps.push({ step: 'boot', seconds: Math.round((Date.now() - bootStarted) / 1000) });

    // 6. Through HTTP: the first admin, the plugin's admin routes with its seeded briefs, the
    // storefront route open to the Public role, and a signed webhook verified without the host
    // having configured raw bodies or the secret in config/plugins.ts.
    const register = await fetch(`${base}/admin/register-admin`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: 'owner@example.com', password: 'Install-test-1234', firstname: 'Shop', lastname: 'Owner' }),
    });
    expect(register.status).toBe(200);
    const { data } = (await register.json()) as { data: { token?: string; accessToken?: string } };
    const auth = { Authorization: `Bearer ${data.token ?? data.accessToken}` };

    const briefs = await fetch(`${base}/product-gallery/briefs`, { headers: auth });
    expect(briefs.status).toBe(200);
    const briefsBody = JSON.stringify(await briefs.json());
    for (const category of ['ring', 'necklace', 'pendant', 'earring', 'bracelet']) expect(briefsBody).toContain(category);

    const products = await fetch(`${base}/product-gallery/products`, { headers: auth });
    expect(products.status).toBe(200);

    // 404 (no such gallery), not 403: the Public role was granted read access on first boot.
    const gallery = await fetch(`${base}/api/product-gallery/galleries/no-such-product`);
    expect(gallery.status).toBe(404);
    expect(((await gallery.json()) as any).error?.message).toEqual(expect.any(String));

    const body = JSON.stringify({ id: 'install-test-prediction', status: 'succeeded', output: null });
    const id = `msg_${randomBytes(8).toString('hex')}`;
    const timestamp = Math.floor(Date.now() / 1000);
    const webhook = await fetch(`${base}/api/product-gallery/replicate/webhook`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': sign(secret, id, timestamp, body) },
      body,
    });
    expect({ status: webhook.status, body: await webhook.text() }).toEqual({ status: 204, body: '' });

    // 7. Nothing went wrong on the way.
    expect(log.split('\n').filter((line) => /\berror\b/i.test(line))).toEqual([]);
  }, 75 * MINUTE);
});
