// Shared by the browser tests: a real Kelisim server on a free port (TLS with a throwaway
// self-signed certificate, a temporary data directory), the admin API over HTTPS, headless
// Debian Chromium through playwright-core, and polling helpers. Everything started here is
// stopped by the test's cleanup, also when the test fails.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, mkdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import https from 'node:https';
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { chromium } from 'playwright-core';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const artifactsDir = join(repoRoot, 'tests', 'browser', 'artifacts');
export const binary = process.env.KELISIM_BINARY || join(repoRoot, 'build', 'server', 'app', 'kelisim');
const chromiumPath = process.env.KELISIM_CHROMIUM || '/usr/bin/chromium';

// Flags for a closed network: no background fetches, no component updates, no QUIC probes.
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/** A stack of cleanup steps, run in reverse, each one even if an earlier one throws. */
export function cleanupStack(t) {
  const steps = [];
  t.after(async () => {
    const errors = [];
    for (const step of steps.reverse()) {
      try { await step(); } catch (err) { errors.push(err); }
    }
    if (errors.length) throw errors[0];
  });
  return (fn) => steps.push(fn);
}

function makeCert(dir) {
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
  ], { stdio: 'ignore' });
  return { key, cert };
}

/**
 * Starts the server and registers its shutdown (SIGTERM, wait for exit 0) with `defer`.
 * Returns { origin, port, adminToken, api(method, path, body), log() }.
 */
export async function startServer(defer, { allowedOrigins = [] } = {}) {
  if (!existsSync(binary)) throw new Error(`no server binary at ${binary} (build it, or set KELISIM_BINARY)`);
  const dir = mkdtempSync(join(tmpdir(), 'kelisim-e2e-'));
  defer(() => rmSync(dir, { recursive: true, force: true }));
  const { key, cert } = makeCert(dir);
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir);
  const adminToken = randomBytes(24).toString('hex');
  const child = spawn(binary, [
    '--port', '0', '--data-dir', dataDir, '--web-root', join(repoRoot, 'web-client'),
    '--tls-cert', cert, '--tls-key', key, '--log-level', 'warn',
    ...allowedOrigins.flatMap((o) => ['--allowed-origin', o]),
  ], { env: { ...process.env, KELISIM_ADMIN_TOKEN: adminToken }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => { output += d; });
  child.stderr.on('data', (d) => { output += d; });
  const exited = new Promise((res) => child.on('exit', (code, signal) => res({ code, signal })));
  defer(async () => {
    if (child.exitCode != null || child.signalCode != null) return;
    child.kill('SIGTERM');
    let timer;
    const timeout = new Promise((res) => { timer = setTimeout(() => res(null), 10000); });
    const result = await Promise.race([exited, timeout]);
    clearTimeout(timer);
    if (!result) {
      child.kill('SIGKILL');
      await exited;
      throw new Error(`server did not stop within 10 s of SIGTERM\n${output}`);
    }
    if (result.code !== 0) throw new Error(`server exited with ${result.code ?? result.signal} after SIGTERM\n${output}`);
  });

  const port = await new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`server did not announce its port in 15 s\n${output}`)), 15000);
    const look = () => {
      const m = /listening on https:\/\/127\.0\.0\.1:(\d+)\//.exec(output);
      if (m) { clearTimeout(timer); res(Number(m[1])); }
    };
    child.stdout.on('data', look);
    child.on('exit', (code) => { clearTimeout(timer); rej(new Error(`server exited early (${code})\n${output}`)); });
    look();
  });
  const origin = `https://127.0.0.1:${port}`;

  function api(method, path, body) {
    return new Promise((res, rej) => {
      const data = body === undefined ? null : Buffer.from(JSON.stringify(body));
      const req = https.request(`${origin}${path}`, {
        method, rejectUnauthorized: false, agent: false,
        headers: { Authorization: `Bearer ${adminToken}`, ...(data ? { 'Content-Type': 'application/json', 'Content-Length': data.length } : {}) },
      }, (r) => {
        const chunks = [];
        r.on('data', (c) => chunks.push(c));
        r.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if (r.statusCode >= 400) { rej(new Error(`${method} ${path} → ${r.statusCode} ${text}`)); return; }
          const json = (r.headers['content-type'] ?? '').includes('json') && text ? JSON.parse(text) : text;
          res(json);
        });
      });
      req.on('error', rej);
      if (data) req.write(data);
      req.end();
    });
  }

  return {
    origin, port, adminToken, api,
    log: () => output,
    createRoom: (fields) => api('POST', '/api/rooms', fields),
    invite: (roomId, fields) => api('POST', `/api/rooms/${encodeURIComponent(roomId)}/invites`, fields),
    transcript: (roomId, format = 'json', scope = 'all') => api('GET', `/api/rooms/${encodeURIComponent(roomId)}/transcript?format=${format}&scope=${scope}`),
  };
}

/** Launches headless Chromium; closed by `defer`. */
export async function launchBrowser(defer) {
  const browser = await chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS, timeout: 30000 });
  defer(() => browser.close());
  return browser;
}

/**
 * A fresh context (own storage, own cookies: a separate person) and one page in it.
 * Console errors and page errors are collected in `page.problems` so tests can assert on them.
 */
export async function openPerson(browser, { viewport = { width: 1280, height: 800 }, locale = 'en-GB' } = {}) {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport, locale });
  context.setDefaultTimeout(20000);
  const page = await context.newPage();
  openPages.push(page);
  page.problems = [];
  page.on('pageerror', (err) => page.problems.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => { if (msg.type() === 'error') page.problems.push(`console: ${msg.text()}`); });
  return { context, page };
}

const openPages = [];

/**
 * Wraps a test body: when it fails, every page it opened is saved as
 * artifacts/failed-<name>-<n>.png (n: the order the pages were opened in) before the cleanup closes them.
 */
export function keepEvidence(name, body) {
  return async (t) => {
    openPages.length = 0;
    try {
      await body(t);
    } catch (err) {
      for (const [i, page] of openPages.entries()) {
        try {
          if (!page.isClosed()) await page.screenshot({ path: screenshotPath(`failed-${name}-${i + 1}`), fullPage: true, timeout: 5000 });
        } catch { /* the evidence is best effort; the failure is what matters */ }
      }
      throw err;
    }
  };
}

const text = (f) => (typeof f.payload === 'string' ? f.payload : f.payload.toString('utf8'));

/**
 * Every text frame a page receives over any WebSocket, in order (`frames`); what it sent goes to
 * `frames.sent`, one array per socket. Call before the page connects.
 */
export function recordFrames(page) {
  const frames = [];
  frames.sent = [];
  page.on('websocket', (ws) => {
    const sent = [];
    frames.sent.push(sent);
    ws.on('framereceived', (f) => frames.push(text(f)));
    ws.on('framesent', (f) => sent.push(text(f)));
  });
  return frames;
}

/** Polls `fn` until it returns a truthy value (returned) or the time runs out (throws with `what`). */
export async function until(fn, what, { timeout = 15000, interval = 50 } = {}) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (err) { last = err; }
    if (Date.now() > end) throw new Error(`timed out after ${timeout} ms waiting for ${what} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
    await new Promise((r) => setTimeout(r, interval));
  }
}

/** A marker no other text in the test contains. */
export function marker(label) {
  return `${label}-${randomBytes(4).toString('hex')}`;
}

export const byTestId = (page, id) => page.locator(`[data-testid="${id}"]`);

/** The number of acknowledged messages in `page`'s timeline whose text contains `text`. */
export function countMessages(page, text) {
  return page.locator('[data-testid="message"]').filter({ has: page.locator('[data-testid="message-text"]', { hasText: text }) }).count();
}

/** Types into the composer and sends with the button; waits until the message is acknowledged. */
export async function say(page, text) {
  await byTestId(page, 'composer-input').fill(text);
  await byTestId(page, 'composer-send').click();
  await until(async () => (await countMessages(page, text)) === 1, `"${text}" acknowledged on the sender's page`);
}

/**
 * Shows a channel (`joint` or a caucus id) by its tab, or by `via` (e.g. the console's "go to"
 * button), and waits until the panel shows it: the page renders on the next animation frame, and
 * the composer writes into the channel on screen.
 */
export async function openChannel(page, channel, via = `channel-tab-${channel}`) {
  await byTestId(page, via).click();
  await until(async () => (await byTestId(page, 'channel-panel').getAttribute('data-channel')) === channel
    && (await byTestId(page, `channel-tab-${channel}`).getAttribute('aria-selected')) === 'true', `channel ${channel} on screen`);
}

/** Consent in the lobby: tick, accept, and see the waiting note. */
export async function acceptLobby(page) {
  await byTestId(page, 'view-lobby').waitFor({ state: 'visible' });
  await byTestId(page, 'lobby-consent').check();
  await byTestId(page, 'lobby-accept').click();
  await byTestId(page, 'lobby-waiting').waitFor({ state: 'visible' });
}

/**
 * Mediator admits parties who are waiting in the lobby having consented (the console shows
 * "accepted the rules" — the admit button would otherwise be refused with `conflict`).
 */
export async function admit(med, ids, acceptedText) {
  for (const id of ids) {
    const entry = byTestId(med, `lobby-entry-${id}`);
    await until(async () => (await entry.textContent()).includes(acceptedText), `consent of ${id} on the console`);
    await byTestId(med, `admit-${id}`).click();
  }
}

export function screenshotPath(name) {
  mkdirSync(artifactsDir, { recursive: true });
  return join(artifactsDir, `${name}.png`);
}

/**
 * A TCP relay in front of the server, so a test can cut the network for real: drop() destroys
 * every relayed connection at once (the browser sees its WebSocket die without a close frame,
 * the server sees the peer vanish), and while `down` new connections are cut as they arrive.
 * Listening starts before the server, so its origin can be passed as --allowed-origin.
 */
export async function startRelay(defer) {
  const pairs = new Set();
  let target = null;
  const relay = {
    down: false,
    port: 0,
    get origin() { return `https://127.0.0.1:${relay.port}`; },
    connectTo(port) { target = port; },
    drop() {
      for (const [a, b] of pairs) { a.destroy(); b.destroy(); }
      pairs.clear();
    },
    get open() { return pairs.size; },
  };
  const listener = net.createServer((client) => {
    if (relay.down || target == null) { client.destroy(); return; }
    const upstream = net.connect(target, '127.0.0.1');
    const pair = [client, upstream];
    pairs.add(pair);
    const end = () => { pairs.delete(pair); client.destroy(); upstream.destroy(); };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise((res) => listener.listen(0, '127.0.0.1', res));
  relay.port = listener.address().port;
  defer(() => new Promise((res) => { relay.drop(); listener.close(() => res()); }));
  return relay;
}

/** The same invitation link, reached through another origin (e.g. the relay). */
export function viaOrigin(url, origin) {
  const u = new URL(url);
  return `${origin}/${u.hash}`;
}
