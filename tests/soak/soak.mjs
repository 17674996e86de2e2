// Soak test: the real server under sustained mixed load (make soak).
//
// A fresh demo database, `coopledger serve` on a free loopback port, then
// for SOAK_SECONDS (60) SOAK_CONNECTIONS (64) keep-alive connections mix
// page views and CSV downloads of every role, API reads with bearer tokens,
// sales-report uploads (the web form's check and import, the import API),
// remittances and sign-ins, while `coopledger import` loads larger reports
// into the same database from the command line.  Prints request counts,
// statuses and latencies by kind and the server's memory, then checks:
// no 5xx, no transport errors, no "database is locked" reaching a user,
// every answer as expected, memory flat, the command-line imports done,
// `coopledger verify` and SQLite's integrity check clean, and every write
// that was answered as done present in the database.  Closing line:
//   soak: N passed, N failed
//
// SOAK_SECONDS, SOAK_CONNECTIONS, SOAK_CLI_ROWS (20000 rows per command-line
// import), SOAK_CLI_IMPORTS (2, spread over the run),
// SOAK_SIGNINS (sign-ins per second, 1), SOAK_TIMEOUT (30 s per request);
// SOAK_KEEP=1 keeps the database and the server's log (they are kept on a
// failure).
import http from 'node:http';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, rmSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { demoDatabase, startServer, token, session, bin, asOf } from '../web/lib.mjs';

const num = (name, dflt) => {
  const v = Number(process.env[name] ?? dflt);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`${name} must be a positive number`);
  return v;
};
const SECONDS = num('SOAK_SECONDS', 60);
const CONNECTIONS = Math.floor(num('SOAK_CONNECTIONS', 64));
const CLI_ROWS = Math.floor(num('SOAK_CLI_ROWS', 20000));
const CLI_IMPORTS = Math.floor(num('SOAK_CLI_IMPORTS', 2));
const SIGNINS = num('SOAK_SIGNINS', 1);
const TIMEOUT = num('SOAK_TIMEOUT', 30) * 1000;
const WARMUP = 2000;
// Memory is flat when the end RSS is at most 1.5 x the start RSS + 32 MiB,
// both taken the same way (settledRss): room for malloc's arenas and
// SQLite's page caches settling, none for memory that grows with the
// number of requests or with the ledger the run writes.
const RSS_FACTOR = 1.5, RSS_SLACK = 32 << 10; // KiB

const C = 'KS-FURN-2025', OFFC = 'KS-OFFC-2025';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const pick = (a) => a[Math.floor(Math.random() * a.length)];
const rint = (lo, hi) => lo + Math.floor(Math.random() * (hi - lo + 1));
const MiB = (kib) => `${(kib / 1024).toFixed(1)} MiB`;

// ---------------------------------------------------------------- setup

const t0 = Date.now();
const demo = demoDatabase();
const db = demo.db;
const sql = (q) => {
  const r = spawnSync('sqlite3', ['-batch', db, q], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`sqlite3: ${r.stderr}`);
  return r.stdout.trim().split('\n').filter((l) => l !== '').map((l) => l.split('|'));
};

// Wrong passwords go to an account of their own: the five failures that
// block an address must never block the accounts the load signs in with.
const throwaway = { email: 'soak-wrong@usd233.ks.example', password: 'soak-' + randomBytes(9).toString('hex') };
{
  const r = spawnSync(bin, ['--db', db, '--as-of', asOf, 'user', 'add', '--email', throwaway.email,
    '--role', 'member', '--agency', 'USD233'], { encoding: 'utf8', env: { ...process.env, COOPLEDGER_PASSWORD: throwaway.password } });
  if (r.status !== 0) throw new Error(`user add: ${r.stderr}`);
}

// Public agencies taking part in each contract, with the day they joined:
// a generated line names one that had joined by its invoice date.
const members = {};
for (const [number, code, joined] of sql('SELECT c.number, a.code, p.joined FROM participant p ' +
  'JOIN agency a ON a.id = p.agency_id JOIN contract c ON c.id = p.contract_id WHERE a.public_entity = 1')) {
  (members[number] ||= []).push({ code, joined });
}
const QUARTERS = {
  '2026-Q1': ['2026-01-05', '2026-03-27'], '2026-Q2': ['2026-04-03', '2026-06-26'],
  '2026-Q3': ['2026-07-02', '2026-09-28'], '2026-Q4': ['2026-10-01', '2026-11-20'],
};
const dayIn = (q) => {
  const [a, b] = QUARTERS[q].map((d) => Date.parse(d + 'T00:00:00Z'));
  return new Date(a + Math.floor(Math.random() * ((b - a) / 86400000 + 1)) * 86400000).toISOString().slice(0, 10);
};
// Invoiced at the contract's discount for one small order (60% off on
// KS-FURN-2025, 35% on KS-OFFC-2025): list amounts in steps of $20 keep
// every expected price a whole dollar, so compliance stays quiet.
const PAY = { [C]: 0.40, [OFFC]: 0.65 };
const CSV_HEAD = 'agency_code,po_number,invoice_number,invoice_date,list_amount,invoiced_amount,description\n';
function salesReport(contract, quarter, prefix, rows) {
  const from = QUARTERS[quarter][0];
  const who = members[contract].filter((m) => m.joined <= from);
  let csv = CSV_HEAD, list = 0, invoiced = 0;
  for (let i = 0; i < rows; i++) {
    const l = 20 * rint(1, 150), v = Math.round(l * PAY[contract]);
    list += l; invoiced += v;
    csv += `${pick(who).code},PO-${prefix}-${i},INV-${prefix}-${i},${dayIn(quarter)},${l}.00,${v}.00,Soak line ${i}\n`;
  }
  return { csv, rows, list: list * 100, invoiced: invoiced * 100 };
}

const srv = await startServer(db);
const { hostname: host, port } = new URL(srv.url);
const pid = srv.proc.pid;
process.on('exit', () => { if (srv.proc.exitCode === null && srv.proc.signalCode === null) srv.proc.kill('SIGKILL'); });
const rss = () => {
  try {
    return Number(readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+)/m)[1]);
  } catch {
    return 0;
  }
};

const roles = ['admin', 'finance', 'member', 'vendor'];
const tok = {}, ses = {};
for (const role of roles) {
  tok[role] = await token(srv.url, demo.users[role]);
  ses[role] = await session(srv.url, demo.users[role]);
  if (!ses[role].csrf) throw new Error(`no session for ${role}`);
}
const M = demo.users.member.bound; // USD233

// ---------------------------------------------------------------- requests

const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS, maxFreeSockets: CONNECTIONS, timeout: 10000 });
// The figures are of the main phase; the checks are of every request.
const stats = new Map(); // kind -> {n, status: Map, ms: []}
let counting = false;
const problems = { fivexx: [], transport: [], busy: [], unexpected: [] };
const BUSY = /database is locked|database table is locked|SQLITE_BUSY|\bbusy\b/i;
const slowest = Array.from({ length: 5 }, () => ({ ms: 0 }));
let inflight = 0;

function note(list, text) {
  list.count = (list.count || 0) + 1;
  if (list.length < 12) list.push(text);
}

// One request; resolves to {status, headers, text} (status 0: transport
// error).  expect: the statuses that are right for it.
function request(kind, method, path, { headers = {}, body = null, expect = [200] } = {}) {
  return new Promise((resolve) => {
    const start = performance.now();
    let done = false;
    inflight++;
    const finish = (status, res, buf, err) => {
      if (done) return;
      done = true;
      inflight--;
      const ms = performance.now() - start;
      const what = `${method} ${path}`;
      if (counting) {
        let s = stats.get(kind);
        if (!s) stats.set(kind, (s = { n: 0, status: new Map(), ms: [] }));
        s.n++;
        s.status.set(status || 'err', (s.status.get(status || 'err') || 0) + 1);
        s.ms.push(ms);
        if (ms > slowest.at(-1).ms) {
          slowest.push({ ms, what, status });
          slowest.sort((a, b) => b.ms - a.ms).length = 5;
        }
      }
      const type = res ? String(res.headers['content-type'] || '') : '';
      const text = buf && !type.startsWith('application/pdf') ? buf.toString('utf8') : '';
      if (!status) {
        note(problems.transport, `${what}: ${err.code || ''} ${err.message} after ${ms.toFixed(0)} ms`);
      } else {
        if (status >= 500) note(problems.fivexx, `${what} -> ${status} ${text.slice(0, 300)}`);
        if (BUSY.test(text)) note(problems.busy, `${what} -> ${status} ${text.match(BUSY)[0]}: ` +
          text.slice(Math.max(0, text.search(BUSY) - 150), text.search(BUSY) + 150));
        if (!expect.includes(status)) note(problems.unexpected, `${what} (${kind}) -> ${status}, wanted ${expect.join('/')}: ${text.slice(0, 200)}`);
      }
      resolve({ status, headers: res ? res.headers : {}, text });
    };
    const hdrs = { ...headers };
    if (body != null) hdrs['content-length'] = Buffer.byteLength(body);
    const req = http.request({ host, port, method, path, agent, headers: hdrs }, (res) => {
      const chunks = [];
      res.on('data', (d) => chunks.push(d));
      res.on('end', () => finish(res.statusCode, res, Buffer.concat(chunks)));
      res.on('error', (err) => finish(0, null, null, err));
    });
    req.setTimeout(TIMEOUT, () => req.destroy(new Error(`no answer in ${TIMEOUT / 1000} s`)));
    req.on('error', (err) => finish(0, null, null, err));
    req.end(body ?? undefined);
  });
}

const bearer = (role) => ({ authorization: `Bearer ${tok[role]}` });
const cookie = (s) => ({ cookie: s.cookie });

// Pages, CSV downloads and PDFs each role may see (tests/web/api.test.mjs
// has the matrix); every one of them is a 200.
const staffPages = ['/', '/contracts', `/contracts/${C}`, `/contracts/${OFFC}`, '/contracts/KS-FURN-2022',
  '/agencies', '/agencies?q=USD', `/agencies/USD259`, `/agencies/${M}`, '/purchases',
  `/purchases?contract=${C}&quarter=2026-Q3`, `/purchases?contract=${OFFC}&page=3`, '/imports',
  `/imports?contract=${C}`, `/imports?contract=${OFFC}`, '/reconciliation', '/rebates', `/rebates?contract=${OFFC}`,
  '/tokens', '/audit', '/audit?q=remittance', '/outbox'];
const PAGES = {
  admin: [...staffPages, '/users'],
  finance: staffPages,
  member: ['/', '/contracts', `/contracts/${C}`, '/purchases', `/purchases?contract=${C}`, '/tokens'],
  vendor: ['/', '/contracts', `/contracts/${C}`, '/imports', `/imports?contract=${C}`, '/tokens'],
};
const staffCsv = ['/contracts.csv', `/contracts/${C}/fees.csv`, `/contracts/${OFFC}/fees.csv`, '/agencies.csv',
  `/agencies/${M}/purchases.csv`, `/agencies/USD259/purchases.csv?contract=${C}`,
  `/purchases.csv?contract=${C}&quarter=2026-Q3`, `/imports.csv?contract=${C}`, `/imports.csv?contract=${OFFC}`,
  '/reconciliation.csv', '/missing-reports.csv', `/rebates.csv?contract=${C}`, '/audit.csv?q=batch',
  '/outbox.csv', '/tokens.csv', `/contracts/${C}/remittances.csv`];
const CSVS = {
  admin: [...staffCsv, '/users.csv', '/purchases.csv'],
  finance: [...staffCsv, '/audit.csv'],
  member: ['/contracts.csv', '/purchases.csv', `/agencies/${M}/purchases.csv`, '/tokens.csv'],
  vendor: [`/contracts/${C}/fees.csv`, `/imports.csv?contract=${C}`, `/contracts/${C}/remittances.csv`, '/tokens.csv'],
};
const PDFS = {
  admin: ['/revenue.pdf?year=2026', `/contracts/${C}/fee-statement?period=2026-Q3`],
  finance: [`/contracts/${C}/statements/${M}?period=2026-Q3`, `/contracts/${OFFC}/fee-statement?period=2026-Q2`],
  member: [`/contracts/${C}/statements/${M}?period=2026-Q3`],
  vendor: [`/contracts/${C}/fee-statement?period=2026-Q3`],
};
const staffApi = ['/api/v1/me', '/api/v1/contracts', `/api/v1/contracts/${C}`, `/api/v1/contracts/${OFFC}`,
  `/api/v1/contracts/${C}/fees`, `/api/v1/contracts/${C}/fees?period=2026-Q3`, `/api/v1/contracts/${OFFC}/fees?year=2026`,
  `/api/v1/contracts/${C}/rebates?year=2`, `/api/v1/contracts/${OFFC}/rebates?year=2026`,
  `/api/v1/contracts/${C}/compliance?period=2026-Q3`, `/api/v1/contracts/${OFFC}/compliance?period=2026-Q2`,
  '/api/v1/agencies', '/api/v1/agencies/USD259', `/api/v1/agencies/${M}/purchases?contract=${C}`,
  `/api/v1/agencies/USD259/purchases?contract=${C}&period=2026-Q3`];
const API = {
  admin: staffApi,
  finance: staffApi,
  member: ['/api/v1/me', '/api/v1/contracts', `/api/v1/contracts/${C}`, `/api/v1/contracts/${C}/rebates?year=2`,
    `/api/v1/contracts/${C}/compliance?period=2026-Q3`, '/api/v1/agencies', `/api/v1/agencies/${M}`,
    `/api/v1/agencies/${M}/purchases?contract=${C}`],
  vendor: ['/api/v1/me', '/api/v1/contracts', `/api/v1/contracts/${C}`, `/api/v1/contracts/${C}/fees`,
    `/api/v1/contracts/${C}/fees?period=2026-Q3`],
};

// A page drawn for a session must carry that session's e-mail and CSRF
// token (kept pages put them in per request).
async function pageView(role, path, s = ses[role]) {
  const res = await request(`page ${role}`, 'GET', path, { headers: cookie(s) });
  if (res.status === 200 && !(res.text.includes(`name="csrf" value="${s.csrf}"`) && res.text.includes(demo.users[role].email)))
    note(problems.unexpected, `GET ${path} as ${role}: the page does not carry this session's e-mail and CSRF token`);
  return res;
}

// ---------------------------------------------------------------- writes

const written = { remit: [], batches: [], cli: [] };
const unanswered = { remit: 0 };
let seq = 0;
const runId = randomBytes(3).toString('hex').toUpperCase();

async function remit() {
  const contract = Math.random() < 0.7 ? C : OFFC;
  const quarter = pick(['2026-Q1', '2026-Q2', '2026-Q3']);
  const cents = rint(1, 999);
  const amount = `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
  const reference = `SOAK-${runId}-R${++seq}`;
  const viaCookie = Math.random() < 0.25;
  const headers = viaCookie ? { ...cookie(ses.finance), 'x-csrf-token': ses.finance.csrf } : bearer('finance');
  const res = await request('remittance', 'POST', `/api/v1/contracts/${contract}/remittances`, {
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify({ period: quarter, amount, received: pick(['2026-11-02', '2026-11-20', '2026-11-25']), reference }),
    expect: [201],
  });
  if (res.status === 201) written.remit.push({ id: JSON.parse(res.text).remittance, contract, quarter, cents, reference });
  if (res.status === 0) unanswered.remit++; // written or not: reported as a transport error
}

async function apiImport() {
  const role = Math.random() < 0.7 ? 'vendor' : 'admin';
  const contract = role === 'vendor' || Math.random() < 0.5 ? C : OFFC;
  const r = salesReport(contract, '2026-Q4', `${runId}-A${++seq}`, rint(3, 40));
  const res = await request('import API', 'POST',
    `/api/v1/contracts/${contract}/imports?period=2026-Q4&file_name=soak-${seq}.csv`, {
      headers: { ...bearer(role), 'content-type': 'text/csv' }, body: r.csv, expect: [201] });
  if (res.status === 201) written.batches.push({ id: JSON.parse(res.text).batch, contract, how: 'API', ...r, csv: undefined });
}

function multipart(fields, file) {
  const b = '----soak' + randomBytes(12).toString('hex');
  let out = '';
  for (const [k, v] of Object.entries(fields))
    out += `--${b}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`;
  if (file)
    out += `--${b}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\n` +
      `Content-Type: text/csv\r\n\r\n${file.text}\r\n`;
  return { body: out + `--${b}--\r\n`, type: `multipart/form-data; boundary=${b}` };
}

// The upload form: "Check the file", then "Import this file" (now and
// then straight to import, as the form's second button does).
async function formUpload() {
  const role = Math.random() < 0.6 ? 'vendor' : 'admin';
  const s = ses[role];
  const contract = role === 'vendor' || Math.random() < 0.5 ? C : OFFC;
  const r = salesReport(contract, '2026-Q4', `${runId}-F${++seq}`, rint(3, 40));
  const name = `soak-form-${seq}.csv`;
  const post = (kind, fields, file) => {
    const m = multipart({ csrf: s.csrf, contract, period: '2026-Q4', encoding: '', ...fields }, file);
    return request(kind, 'POST', '/imports', { headers: { ...cookie(s), 'content-type': m.type }, body: m.body });
  };
  let res;
  if (Math.random() < 0.8) {
    const checked = await post('upload check', { mode: 'check' }, { name, text: r.csv });
    const id = checked.text.match(/name="upload_id" value="([0-9a-f]{32})"/);
    if (checked.status !== 200) return;
    if (!id) return note(problems.unexpected, `POST /imports (check) as ${role}: no upload_id on the page`);
    res = await post('upload import', { mode: 'import', upload_id: id[1], file_name: name });
  } else {
    res = await post('upload import', { mode: 'import' }, { name, text: r.csv });
  }
  const batch = res.text.match(/Imported as batch (\d+)\./);
  if (res.status === 200 && !batch) note(problems.unexpected, `POST /imports (import) as ${role}: no "Imported as batch" on the page`);
  if (batch) written.batches.push({ id: Number(batch[1]), contract, how: 'form', ...r, csv: undefined });
}

// Sign-ins: the form and the API, now and then with the wrong password
// (the throwaway account: 401, then 429 once it is blocked).
const signinRight = { form: 0, api: 0 };
async function signIn() {
  const wrong = Math.random() < 0.2;
  const role = pick(roles);
  const user = wrong ? { email: throwaway.email, password: 'not-' + throwaway.password } : demo.users[role];
  const expect = wrong ? [401, 429] : undefined;
  if (Math.random() < 0.5) {
    const res = await request('sign-in form', 'POST', '/login', {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email: user.email, password: user.password, next: '/' }).toString(),
      expect: expect || [303] });
    if (wrong || res.status !== 303) return;
    signinRight.form++;
    const c = String(res.headers['set-cookie'] || '').split(';')[0];
    if (!c.startsWith('cl_session=')) return note(problems.unexpected, `POST /login as ${role}: no session cookie`);
    const tokens = await request(`page ${role}`, 'GET', '/tokens', { headers: { cookie: c } });
    const csrf = tokens.text.match(/name="csrf" value="([^"]+)"/);
    if (!csrf) return note(problems.unexpected, `GET /tokens after signing in as ${role}: no CSRF token`);
    await pageView(role, pick(PAGES[role]), { cookie: c, csrf: csrf[1] });
    await request('sign-out', 'POST', '/logout', {
      headers: { cookie: c, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf: csrf[1] }).toString(), expect: [303] });
  } else {
    const res = await request('sign-in API', 'POST', '/api/v1/tokens', {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: user.email, password: user.password }), expect: expect || [201] });
    if (wrong || res.status !== 201) return;
    signinRight.api++;
    const me = await request(`API ${role}`, 'GET', '/api/v1/me', { headers: { authorization: `Bearer ${JSON.parse(res.text).token}` } });
    if (me.status === 200 && JSON.parse(me.text).email !== user.email)
      note(problems.unexpected, `GET /api/v1/me with a new token of ${user.email}: ${me.text}`);
  }
}

// Sign-ins hash a password (argon2id, 64 MiB): at most SIGNINS a second.
let signinBudget = 1, signinAt = Date.now();
function signinDue() {
  const now = Date.now();
  signinBudget = Math.min(2, signinBudget + ((now - signinAt) / 1000) * SIGNINS);
  signinAt = now;
  if (signinBudget < 1) return false;
  signinBudget -= 1;
  return true;
}

const jobs = [
  [40, () => { const role = pick(roles); return pageView(role, pick(PAGES[role])); }],
  [8, () => { const role = pick(roles); return request(`CSV ${role}`, 'GET', pick(CSVS[role]), { headers: cookie(ses[role]) }); }],
  [1, () => { const role = pick(roles); return request('PDF', 'GET', pick(PDFS[role]), { headers: cookie(ses[role]) }); }],
  [30, () => { const role = pick(roles); return request(`API ${role}`, 'GET', pick(API[role]), { headers: bearer(role) }); }],
  [2, () => request('static', 'GET', pick(['/static/app.css', '/static/app.js', '/favicon.ico']))],
  [4, apiImport],
  [3, formUpload],
  [6, remit],
];
const weightSum = jobs.reduce((a, [w]) => a + w, 0);
function nextJob() {
  if (signinDue()) return signIn;
  let x = Math.random() * weightSum;
  for (const [w, f] of jobs) if ((x -= w) < 0) return f;
  return jobs[0][1];
}

// ---------------------------------------------------------------- the run

// The server's memory once every thread has made the largest answers:
// each download (built afresh every time) on 4 connections at once, then
// a rest.  Taken the same way at the start and at the end.
async function settledRss() {
  for (const role of roles) {
    for (const [kind, p] of [...CSVS[role].map((p) => [`CSV ${role}`, p]), ...PDFS[role].map((p) => ['PDF', p])])
      await Promise.all(Array.from({ length: 4 }, () => request(kind, 'GET', p, { headers: cookie(ses[role]) })));
  }
  await sleep(1000);
  return rss();
}
const ledgerLines = () => {
  const r = spawnSync('sqlite3', ['-batch', '-cmd', '.timeout 5000', db, 'SELECT count(*) FROM purchase'], { encoding: 'utf8' });
  return Number(r.stdout.trim());
};

let running = false, gate = null, release = null, busyWorkers = 0;
async function worker() {
  while (running) {
    if (gate) await gate;
    if (!running) break;
    busyWorkers++;
    try {
      await nextJob()();
    } catch (err) {
      note(problems.unexpected, `the soak script itself: ${err.stack}`);
    }
    busyWorkers--;
  }
}
// Let the jobs under way finish and hold the next ones back.
async function quiet() {
  gate = new Promise((r) => { release = r; });
  while (busyWorkers > 0 || inflight > 0) await sleep(20);
  await sleep(500);
}
function resume() {
  const r = release;
  gate = null;
  r();
}

// Every GET of the mix once, in turn: the caches are built and every
// path is known to answer before the load starts.
for (const role of roles) {
  for (const p of PAGES[role]) await pageView(role, p);
  for (const p of CSVS[role]) await request(`CSV ${role}`, 'GET', p, { headers: cookie(ses[role]) });
  for (const p of PDFS[role]) await request('PDF', 'GET', p, { headers: cookie(ses[role]) });
  for (const p of API[role]) await request(`API ${role}`, 'GET', p, { headers: bearer(role) });
}

running = true;
const workers = Array.from({ length: CONNECTIONS }, worker);
await sleep(WARMUP);
await quiet();
const rssStart = await settledRss();
let rssPeak = rssStart;
const rssSeen = []; // [seconds into the main phase, KiB]
const setupSeconds = (Date.now() - t0) / 1000;
const linesStart = ledgerLines();
counting = true;
resume();
const mainStart = Date.now();
const sampler = setInterval(() => {
  const kib = rss();
  rssPeak = Math.max(rssPeak, kib);
  rssSeen.push([(Date.now() - mainStart) / 1000, kib]);
}, 500);

// Command-line imports of a larger report, spread over the run, into the
// other vendor's contract while the server writes to both.
const cliQuarters = ['2026-Q3', '2026-Q4', '2026-Q2', '2026-Q1'];
function cliImport(n) {
  const quarter = cliQuarters[n % cliQuarters.length];
  const r = salesReport(OFFC, quarter, `${runId}-C${n}`, CLI_ROWS);
  const file = join(demo.dir, `soak-cli-${n}.csv`);
  writeFileSync(file, r.csv);
  return new Promise((resolve) => {
    const start = Date.now();
    const p = spawn(bin, ['--db', db, '--as-of', asOf, 'import', '--contract', OFFC, '--period', quarter, '--json', file],
      { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { err += d; });
    p.on('exit', (code) => {
      let batch = null;
      try { batch = JSON.parse(out).batch; } catch { /* reported below */ }
      written.cli.push({ n, quarter, code, ms: Date.now() - start, stderr: err.trim(), batch });
      if (code === 0 && batch) written.batches.push({ id: batch, contract: OFFC, how: 'CLI', ...r, csv: undefined });
      rmSync(file, { force: true });
      resolve();
    });
  });
}
const cliRuns = (async () => {
  for (let n = 0; n < CLI_IMPORTS; n++) {
    const at = mainStart + ((n + 0.25) * SECONDS * 1000) / CLI_IMPORTS;
    while (Date.now() < at) await sleep(50);
    await cliImport(n);
  }
})();

await sleep(SECONDS * 1000);
running = false;
await Promise.all(workers);
await cliRuns;
const mainSeconds = (Date.now() - mainStart) / 1000;
counting = false;
clearInterval(sampler);
const linesEnd = ledgerLines();
const rssEnd = await settledRss();
rssPeak = Math.max(rssPeak, rssEnd);
// still answering after the load
const after = await request('API admin', 'GET', '/api/v1/me', { headers: bearer('admin') });
agent.destroy();

const walBytes = existsSync(db + '-wal') ? statSync(db + '-wal').size : 0;
const log = srv.log();
await srv.stop();
const exit = { code: srv.proc.exitCode, signal: srv.proc.signalCode };

// ---------------------------------------------------------------- report

const pct = (a, p) => {
  if (!a.length) return 0;
  const s = Float64Array.from(a).sort();
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
const statusText = (m) => [...m].sort((a, b) => String(a[0]).localeCompare(String(b[0]))).map(([k, v]) => `${k}:${v}`).join(' ');
const rows = [...stats].sort((a, b) => a[0].localeCompare(b[0]));
const all = { n: 0, status: new Map(), ms: [] };
for (const [, s] of rows) {
  all.n += s.n;
  for (const [k, v] of s.status) all.status.set(k, (all.status.get(k) || 0) + v);
  for (const x of s.ms) all.ms.push(x);
}
const line = (kind, s) => console.log(`${kind.padEnd(15)} ${String(s.n).padStart(8)} ${pct(s.ms, 50).toFixed(1).padStart(9)} ${pct(s.ms, 99).toFixed(1).padStart(9)}  ${statusText(s.status)}`);

console.log(`load: ${CONNECTIONS} connections for ${mainSeconds.toFixed(1)} s (after ${setupSeconds.toFixed(1)} s of setup and warm-up) against ${srv.url}`);
console.log('');
console.log(`${'kind'.padEnd(15)} ${'requests'.padStart(8)} ${'p50 ms'.padStart(9)} ${'p99 ms'.padStart(9)}  statuses`);
for (const [kind, s] of rows) line(kind, s);
line('all', all);
console.log('');
console.log(`requests/s      ${(all.n / mainSeconds).toFixed(0)}`);
console.log(`writes          ${written.remit.length} remittances, ${written.batches.filter((b) => b.how !== 'CLI').length} web and API imports, ` +
  `${signinRight.form + signinRight.api} sign-ins with the right password`);
for (const c of written.cli)
  console.log(`CLI import ${c.n}    ${CLI_ROWS} rows into ${OFFC} ${c.quarter}: exit ${c.code}, ${(c.ms / 1000).toFixed(1)} s, batch ${c.batch}`);
console.log(`server RSS      start ${MiB(rssStart)}, end ${MiB(rssEnd)}, peak ${MiB(rssPeak)} ` +
  `(limit ${MiB(rssStart * RSS_FACTOR + RSS_SLACK)} = ${RSS_FACTOR} x start + ${RSS_SLACK >> 10} MiB)`);
const every = Math.max(1, Math.round(rssSeen.length / 8));
console.log(`RSS under load  ${rssSeen.filter((_, i) => i % every === every - 1)
  .map(([t, k]) => `${t.toFixed(0)} s ${(k / 1024).toFixed(0)}`).join(', ')} MiB`);
console.log(`slowest         ${slowest.filter((x) => x.what).map((x) => `${x.what} ${x.status} ${x.ms.toFixed(0)} ms`).join('\n                ')}`);
console.log(`ledger          ${linesStart} lines at the start, ${linesEnd} at the end`);
console.log(`WAL at the end  ${MiB(walBytes / 1024)}`);
console.log('');

// ---------------------------------------------------------------- checks

let passed = 0, failed = 0;
function check(name, ok, detail = []) {
  if (ok) {
    passed++;
    console.log(`ok   ${name}`);
  } else {
    failed++;
    console.log(`FAIL ${name}`);
    for (const d of [].concat(detail)) console.log(`     ${d}`);
  }
}
const listed = (l) => (l.count > l.length ? [...l, `... ${l.count - l.length} more`] : l);

const logLines = log.split('\n');
const log5xx = logLines.filter((l) => / [A-Z]+ \S+ 5\d\d \d+ [\d.]+ms/.test(l));
const logOther = logLines.filter((l) => l && !/ [A-Z]+ \S+ \d{3} \d+ [\d.]+ms/.test(l));
check(`no 5xx answers (${problems.fivexx.count || 0})`, !problems.fivexx.count,
  [...listed(problems.fivexx), ...log5xx.slice(0, 12).map((l) => `log: ${l}`)]);
check(`no transport errors: resets, timeouts (${problems.transport.count || 0})`, !problems.transport.count, listed(problems.transport));
check('no answer mentions a locked or busy database', !problems.busy.count, listed(problems.busy));
check(`every answer as expected, pages drawn for their own session (${problems.unexpected.count || 0} not)`,
  !problems.unexpected.count, listed(problems.unexpected));
check('the server still answers after the load', after.status === 200, `GET /api/v1/me -> ${after.status}`);
check(`server memory flat: end RSS ${MiB(rssEnd)} <= ${RSS_FACTOR} x ${MiB(rssStart)} + ${RSS_SLACK >> 10} MiB`,
  rssStart > 0 && rssEnd <= rssStart * RSS_FACTOR + RSS_SLACK,
  `with ${linesStart} ledger lines at the start and ${linesEnd} at the end; peak ${MiB(rssPeak)}`);
check('SIGTERM stops the server with exit 0', exit.code === 0, [`exit ${JSON.stringify(exit)}`, ...logOther.slice(-12)]);
check(`every command-line import exited 0 with its batch (${written.cli.length} run)`,
  written.cli.length > 0 && written.cli.every((c) => c.code === 0 && c.batch),
  written.cli.filter((c) => c.code !== 0 || !c.batch).map((c) => `import ${c.n}: exit ${c.code}: ${c.stderr}`));
const verify = spawnSync(bin, ['--db', db, '--as-of', asOf, 'verify'], { encoding: 'utf8' });
check('coopledger verify exits 0', verify.status === 0, (verify.stdout + verify.stderr).trim().split('\n').slice(-8));
const integrity = spawnSync('sqlite3', [db, 'PRAGMA integrity_check'], { encoding: 'utf8' });
check('PRAGMA integrity_check says ok', integrity.status === 0 && integrity.stdout.trim() === 'ok',
  (integrity.stdout + integrity.stderr).trim().split('\n').slice(0, 8));

// every remittance answered 201 is there, as sent, and nothing else of ours
const remitRows = new Map(sql(`SELECT r.id, c.number, r.quarter, r.amount, r.reference FROM remittance r ` +
  `JOIN contract c ON c.id = r.contract_id WHERE r.reference LIKE 'SOAK-${runId}-%'`).map((r) => [Number(r[0]), r]));
const remitBad = written.remit.filter((w) => {
  const r = remitRows.get(w.id);
  return !r || r[1] !== w.contract || r[2] !== w.quarter || Number(r[3]) !== w.cents || r[4] !== w.reference;
}).map((w) => `remittance ${w.id} (${w.reference}) is missing or differs: ${remitRows.get(w.id) || 'absent'}`);
if (remitRows.size < written.remit.length || remitRows.size > written.remit.length + unanswered.remit)
  remitBad.push(`${remitRows.size} remittances of this run in the database, ${written.remit.length} answered 201` +
    (unanswered.remit ? ` and ${unanswered.remit} not answered` : ''));
check(`every remittance answered 201 is in the database (${written.remit.length})`, remitBad.length === 0, remitBad.slice(0, 12));

// every import answered as written has its batch: rows, totals, live lines
const batchRows = new Map(sql('SELECT b.id, c.number, b.rows_accepted, b.list_total, b.invoiced_total, ' +
  '(SELECT count(*) FROM purchase p WHERE p.batch_id = b.id), b.reversed_at IS NULL FROM import_batch b ' +
  'JOIN contract c ON c.id = b.contract_id').map((r) => [Number(r[0]), r.map((x, i) => (i === 1 ? x : Number(x)))]));
const batchBad = written.batches.filter((w) => {
  const b = batchRows.get(w.id);
  return !b || b[1] !== w.contract || b[2] !== w.rows || b[3] !== w.list || b[4] !== w.invoiced || b[5] !== w.rows || b[6] !== 1;
}).map((w) => `${w.how} batch ${w.id} (${w.contract}, ${w.rows} rows) is missing or differs: ${batchRows.get(w.id) || 'absent'}`);
const ids = written.batches.map((w) => w.id);
if (new Set(ids).size !== ids.length) batchBad.push('two imports were answered with the same batch');
check(`every import answered as written has its batch and lines (${written.batches.length})`, batchBad.length === 0, batchBad.slice(0, 12));

if (failed || process.env.SOAK_KEEP) {
  writeFileSync(join(demo.dir, 'server.log'), log);
  console.log(`\nthe database and the server's log are kept in ${demo.dir}`);
} else {
  rmSync(demo.dir, { recursive: true, force: true });
}
console.log(`soak: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
