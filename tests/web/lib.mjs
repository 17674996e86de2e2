// Shared helpers for the web tests: a demo database, the real server on a
// free loopback port, sign-in over the API and with a cookie session.
import { spawn, execFileSync, execFile as execFileCb } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';
import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const bin = process.env.COOPLEDGER_BIN || join(root, 'build', 'rel', 'coopledger');
export const asOf = '2026-11-25';

// A fresh demo database; returns {dir, db, users: {admin: {email, password}, ...}}.
export function demoDatabase() {
  const dir = mkdtempSync(join(tmpdir(), 'coopledger-web-'));
  const db = join(dir, 'demo.db');
  const out = execFileSync(bin, ['--db', db, '--as-of', asOf, 'demo'], { encoding: 'utf8' });
  const users = {};
  for (const line of out.split('\n')) {
    const m = line.match(/^(admin|finance|member|vendor)\s+(\S+@\S+)\s+(?:(\S+)\s+)?(\S{16})\s*$/);
    if (m) users[m[1]] = { email: m[2], bound: m[3] || '', password: m[4] };
  }
  return { dir, db, users };
}

// Start `coopledger serve` on a free port; resolves to {url, proc, stop()}.
export async function startServer(db, extra = []) {
  const dir = mkdtempSync(join(tmpdir(), 'coopledger-srv-'));
  const ready = join(dir, 'ready');
  const proc = spawn(bin, ['--db', db, '--as-of', asOf, 'serve', '--listen', '127.0.0.1:0',
    '--ready-file', ready, ...extra], { stdio: ['ignore', 'ignore', 'pipe'],
    env: { COOPLEDGER_OUTBOX_INTERVAL: '0', ...process.env } });
  let log = '';
  proc.stderr.on('data', (d) => { log += d; });
  for (let i = 0; i < 200 && !existsSync(ready); i++) await new Promise((r) => setTimeout(r, 50));
  if (!existsSync(ready)) throw new Error(`the server did not start:\n${log}`);
  await new Promise((r) => setTimeout(r, 50));
  const url = 'http://' + readFileSync(ready, 'utf8').trim();
  return {
    url, proc, log: () => log,
    async stop() {
      proc.kill('SIGTERM');
      await new Promise((r) => proc.once('exit', r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// An API token for a user.
export async function token(url, user) {
  const res = await fetch(`${url}/api/v1/tokens`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: user.email, password: user.password }),
  });
  if (res.status !== 201) throw new Error(`sign-in of ${user.email}: ${res.status}`);
  return (await res.json()).token;
}

// A cookie session: {cookie, csrf} from the sign-in form and any page.
export async function session(url, user) {
  const res = await fetch(`${url}/login`, {
    method: 'POST', redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ email: user.email, password: user.password, next: '/' }),
  });
  const cookie = (res.headers.get('set-cookie') || '').split(';')[0];
  const page = await (await fetch(`${url}/tokens`, { headers: { cookie } })).text();
  const m = page.match(/name="csrf" value="([^"]+)"/);
  return { cookie, csrf: m ? m[1] : '' };
}

// The CLI's --json output for the same database and date.
export function cliJson(db, ...args) {
  return JSON.parse(execFileSync(bin, ['--db', db, '--as-of', asOf, ...args, '--json'],
    { encoding: 'utf8' }));
}

export function cli(db, ...args) {
  return execFileSync(bin, ['--db', db, '--as-of', asOf, ...args], { encoding: 'utf8' });
}

// Debian's chromium, headless, with nothing that reaches the network.
export function launchChromium() {
  return chromium.launch({ executablePath: '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
}

// A real SMTP server on a free loopback port that keeps what it receives.
// deliver(db, baseUrl) runs `notices send` against it (links in the
// messages under baseUrl), checks that nothing went dead, and resolves to
// the messages that arrived, parsed.
export async function smtpSink() {
  const received = [];
  const server = new SMTPServer({
    authOptional: true, disabledCommands: ['STARTTLS'], logger: false, secure: false,
    onData(stream, session, cb) {
      const chunks = [];
      stream.on('data', (c) => chunks.push(c));
      stream.on('end', () => { received.push(Buffer.concat(chunks)); cb(null, 'queued'); });
    },
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const port = server.server.address().port;
  return {
    received,
    async deliver(db, baseUrl) {
      const from = received.length;
      const env = { ...process.env, COOPLEDGER_SMTP_URL: `smtp://127.0.0.1:${port}?starttls=none`,
        COOPLEDGER_BASE_URL: baseUrl, COOPLEDGER_MAIL_FROM: 'notices@usd259.ks.example' };
      const { stdout } = await promisify(execFileCb)(bin, ['--db', db, '--as-of', asOf, 'notices', 'send'], { env });
      if (!/dead 0/.test(stdout)) throw new Error(`notices send: ${stdout}`);
      return Promise.all(received.slice(from).map((raw) => simpleParser(raw)));
    },
    close: () => new Promise((r) => server.close(r)),
  };
}

// The world of a browser story: the demo database (prepare(demo), when
// given, adds files or records first), a real SMTP server, `coopledger
// serve` and chromium.  stop() ends all three.
export async function browserWorld(prepare) {
  const demo = demoDatabase();
  if (prepare) prepare(demo);
  const smtp = await smtpSink();
  const srv = await startServer(demo.db);
  const browser = await launchChromium();
  return {
    demo, smtp, srv, browser,
    async stop() {
      await browser.close();
      await srv.stop();
      await smtp.close();
    },
  };
}
