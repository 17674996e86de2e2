// E-mail notices end to end: the real binary queues and sends to a real
// SMTP server on loopback (smtp-server), the messages are read back with
// mailparser and their PDF statements with pdftotext.  Faults: server down,
// 421/451, 550, a connection dropped in the middle of DATA, all of them in
// one run of 200+ notices; a slow server with a writer in parallel, a
// sender killed mid-conversation, senders racing; smtps:// with a
// certificate made by openssl.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile as execFileCb, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { createServer, connect } from 'node:net';
import { writeFileSync, readFileSync, readdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';
import { bin, asOf, demoDatabase, startServer, session } from './lib.mjs';

const execFile = promisify(execFileCb);
const FROM = 'notices@usd259.ks.example';

// A real SMTP server; decide(n, session) → null (accept) or [code, text].
async function smtp(decide = () => null, stage = 'data') {
  const messages = [];
  let n = 0;
  const fail = (d, cb) => {
    const err = new Error(d[1]);
    err.responseCode = d[0];
    cb(err);
  };
  const server = new SMTPServer({
    authOptional: true, disabledCommands: ['STARTTLS'], logger: false, secure: false,
    onRcptTo(addr, session, cb) {
      const d = stage === 'rcpt' ? decide(n++, session) : null;
      return d ? fail(d, cb) : cb();
    },
    onData(stream, session, cb) {
      const chunks = [];
      stream.on('data', (c) => chunks.push(c));
      stream.on('end', () => {
        const d = stage === 'data' ? decide(n++, session) : null;
        if (d) return fail(d, cb);
        messages.push({ raw: Buffer.concat(chunks), rcpt: session.envelope.rcptTo.map((r) => r.address) });
        cb(null, 'queued');
      });
    },
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const port = server.server.address().port;
  return { server, port, messages, close: () => new Promise((r) => server.close(r)) };
}

// A server that drops the connection in the middle of DATA.
async function droppingServer() {
  const srv = createServer((sock) => {
    sock.write('220 drop.example ESMTP\r\n');
    let data = false;
    sock.on('data', (buf) => {
      const s = buf.toString();
      if (data) { sock.destroy(); return; } // half a message, then gone
      for (const line of s.split('\r\n').filter(Boolean)) {
        if (/^EHLO/i.test(line)) sock.write('250-drop.example\r\n250 8BITMIME\r\n');
        else if (/^HELO/i.test(line)) sock.write('250 drop.example\r\n');
        else if (/^DATA/i.test(line)) { data = true; sock.write('354 go ahead\r\n'); }
        else if (/^QUIT/i.test(line)) { sock.end('221 bye\r\n'); }
        else sock.write('250 ok\r\n');
      }
    });
    sock.on('error', () => {});
  });
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  return { port: srv.address().port, close: () => new Promise((r) => srv.close(r)) };
}

async function freePort() {
  const s = createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const port = s.address().port;
  await new Promise((r) => s.close(r));
  return port;
}

// The environment of a CLI run: SMTP on port (or url), the retry clock now.
function cliEnv({ port, url, now } = {}) {
  const env = { ...process.env, COOPLEDGER_MAIL_FROM: FROM };
  if (port) env.COOPLEDGER_SMTP_URL = `smtp://127.0.0.1:${port}?starttls=none`;
  if (url) env.COOPLEDGER_SMTP_URL = url;
  if (now) env.COOPLEDGER_NOW = String(now);
  return env;
}

// Run the CLI asynchronously (the SMTP server lives in this process).
async function run(db, args, { port, url, now, date = asOf } = {}) {
  const { stdout } = await execFile(bin, ['--db', db, '--as-of', date, ...args],
    { env: cliEnv({ port, url, now }), maxBuffer: 64 << 20 });
  return stdout;
}

// Start the CLI and leave it running: {proc, done} (done resolves to
// {code, signal, out}).
function start(db, args, opts = {}) {
  const proc = spawn(bin, ['--db', db, '--as-of', asOf, ...args],
    { env: cliEnv(opts), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout.on('data', (d) => { out += d; });
  proc.stderr.on('data', (d) => { out += d; });
  const done = new Promise((r) => proc.once('exit', (code, signal) => r({ code, signal, out })));
  return { proc, done };
}

// A server that accepts connections and never says a word.
async function silentServer() {
  const socks = new Set();
  const srv = createServer((sock) => { socks.add(sock); sock.on('error', () => {}); });
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  return {
    port: srv.address().port, connections: () => socks.size,
    close: () => { for (const s of socks) s.destroy(); return new Promise((r) => srv.close(r)); },
  };
}

const until = async (what, fn, ms = 20000) => {
  for (const t0 = Date.now(); Date.now() - t0 < ms; await new Promise((r) => setTimeout(r, 50))) {
    if (await fn()) return;
  }
  throw new Error(`timed out waiting for ${what}`);
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// Notice id of a received message, from its Message-ID <notice-ID.TOKEN@...>.
const noticeId = (mail) => Number(mail.messageId.match(/^<notice-(\d+)\./)[1]);

const list = async (db) => JSON.parse(await run(db, ['notices', 'list', '--json']));
const nowPlus = (s) => Math.floor(Date.now() / 1000) + s;
const sqlite = (db, sql) => execFile('sqlite3', [db, sql]);

// A demo database with only the four vendor notices of 2026-11-25 queued.
async function vendorNotices() {
  const demo = demoDatabase();
  await run(demo.db, ['notices', 'queue']);
  await sqlite(demo.db, "DELETE FROM outbox WHERE kind = 'statement_ready'");
  return demo;
}

test('every due notice arrives once, with its figures and its PDF', async () => {
  const demo = demoDatabase();
  const srv = await smtp();
  try {
    assert.match(await run(demo.db, ['notices', 'queue']), /queued (\d+) new notices/);
    const queued = await list(demo.db);
    // 152 member statements for KS-FURN-2025 2026-Q3, its fee statement, two
    // overdue fees and the missing KS-OFFC-2025 report: realistic, not 290 x quarters
    const kinds = {};
    for (const q of queued) kinds[q.kind] = (kinds[q.kind] || 0) + 1;
    assert.ok(kinds.statement_ready >= 100 && kinds.statement_ready <= 290, JSON.stringify(kinds));
    assert.equal(kinds.fee_statement, 1);
    assert.equal(kinds.fee_overdue, 2);
    assert.equal(kinds.report_overdue, 1);
    // statements go to the agencies `coopledger statements` writes one for
    // (purchases in the quarter), under the same file names
    const cliDir = mkdtempSync(join(tmpdir(), 'coopledger-cli-'));
    await run(demo.db, ['statements', '--contract', 'KS-FURN-2025', '--period', '2026-Q3', '--out', cliDir,
      '--creation-date', asOf]);
    const cliFiles = readdirSync(cliDir);
    rmSync(cliDir, { recursive: true, force: true });
    const members = cliFiles.filter((f) => f.startsWith('member-')).map((f) => f.match(/-(\w+)\.pdf$/)[1]);
    const { stdout: agencies } = await sqlite(demo.db,
      "SELECT DISTINCT agency FROM outbox WHERE kind = 'statement_ready' ORDER BY agency");
    assert.deepEqual(agencies.trim().split('\n'), members.sort());
    const { stdout: idle } = await sqlite(demo.db, "SELECT count(*) FROM outbox o WHERE kind = 'statement_ready' " +
      "AND NOT EXISTS (SELECT 1 FROM live_purchase p JOIN agency a ON a.id = p.agency_id WHERE a.code = o.agency " +
      "AND p.invoice_date BETWEEN '2026-07-01' AND '2026-09-30')");
    assert.equal(idle.trim(), '0', 'no statement for a member that bought nothing');

    assert.match(await run(demo.db, ['notices', 'send'], { port: srv.port }),
      new RegExp(`sent ${queued.length}, to retry 0, dead 0`));
    assert.equal(srv.messages.length, queued.length);
    const mails = await Promise.all(srv.messages.map((m) => simpleParser(m.raw)));
    assert.equal(new Set(mails.map((m) => m.messageId)).size, queued.length);
    for (const [i, m] of mails.entries()) assert.deepEqual(srv.messages[i].rcpt, [m.to.value[0].address]);
    assert.deepEqual(new Set(mails.map((m) => m.to.value[0].address)), new Set(queued.map((q) => q.recipient)));

    // a member statement: subject, text and HTML bodies, the PDF's figures
    const st = mails.find((m) => m.to.value[0].address === 'purchasing@usd233.ks.example');
    assert.ok(st, 'USD233 gets its statement');
    assert.match(st.subject, /: your 2026-Q3 statement for KS-FURN-2025 is ready$/);
    const paid = st.text.match(/You paid:\s+(\$[\d,]+\.\d\d)/)[1];
    assert.match(st.text, /USD233/);
    assert.match(st.html, new RegExp(`<td style="text-align: right;">\\${paid}</td>`));
    assert.equal(st.attachments.length, 1);
    assert.equal(st.attachments[0].contentType, 'application/pdf');
    assert.equal(st.attachments[0].filename, 'member-KS-FURN-2025-2026-Q3-USD233.pdf');
    assert.ok(cliFiles.includes(st.attachments[0].filename));
    const dir = mkdtempSync(join(tmpdir(), 'coopledger-mail-'));
    try {
      writeFileSync(join(dir, 's.pdf'), st.attachments[0].content);
      const { stdout: pdf } = await execFile('pdftotext', ['-layout', join(dir, 's.pdf'), '-']);
      assert.match(pdf, /USD233/);
      assert.ok(pdf.includes(paid), `the PDF shows ${paid}`);

      // the vendor's fee statement
      const fee = mails.find((m) => /fee statement/.test(m.subject));
      assert.equal(fee.to.value[0].address, 'reports@prairie-furniture.example');
      assert.match(fee.subject, /^KS-FURN-2025 2026-Q3 fee statement: \$45,714\.54 balance$/);
      assert.equal(fee.attachments[0].filename, 'vendor-KS-FURN-2025-2026-Q3-V-PRAIRIE.pdf');
      assert.ok(cliFiles.includes(fee.attachments[0].filename));
      assert.match(fee.text, /Fee:\s+\$36,571\.63/);
      assert.match(fee.html, /\$36,571\.63/);
      writeFileSync(join(dir, 'f.pdf'), fee.attachments[0].content);
      const { stdout: fpdf } = await execFile('pdftotext', ['-layout', join(dir, 'f.pdf'), '-']);
      assert.ok(fpdf.includes('36,571.63'), 'the fee statement PDF shows the fee');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    // overdue fee and missing report reminders
    assert.ok(mails.some((m) => /^Overdue: KS-FURN-2025 2026-Q2 administrative fee, \$46,055\.83 due$/.test(m.subject)));
    const rep = mails.find((m) => /sales report was due/.test(m.subject));
    assert.equal(rep.to.value[0].address, 'ar@sunflower-interiors.example');

    // queuing again after everything was sent adds nothing; sending sends nothing
    assert.match(await run(demo.db, ['notices', 'queue']), /queued 0 new notices/);
    assert.match(await run(demo.db, ['notices', 'send'], { port: srv.port }), /sent 0,/);
    assert.equal(srv.messages.length, queued.length);
    assert.ok((await list(demo.db)).every((q) => q.state === 'sent'));
  } finally {
    await srv.close();
    rmSync(demo.dir, { recursive: true, force: true });
  }
});

test('server down: retrying with backoff, delivered later', async () => {
  const demo = await vendorNotices();
  const srv = await smtp();
  try {
    const down = await freePort();
    assert.match(await run(demo.db, ['notices', 'send'], { port: down }), /sent 0, to retry 4, dead 0/);
    let l = await list(demo.db);
    assert.ok(l.every((q) => q.state === 'retrying' && q.attempts === 1), JSON.stringify(l[0]));
    assert.match(l[0].last_error, /refused|connect/i);
    // not before the backoff has passed
    assert.match(await run(demo.db, ['notices', 'send'], { port: srv.port }), /sent 0,/);
    assert.match(await run(demo.db, ['notices', 'send'], { port: srv.port, now: nowPlus(120) }), /sent 4,/);
    assert.equal(srv.messages.length, 4);
    l = await list(demo.db);
    assert.ok(l.every((q) => q.state === 'sent'));
  } finally {
    await srv.close();
    rmSync(demo.dir, { recursive: true, force: true });
  }
});

test('421 and 451 answers are retried later and delivered', async () => {
  const demo = await vendorNotices();
  // the first two messages: 451 at the end of DATA; the next two: 421 to RCPT
  const s451 = await smtp((n) => (n < 2 ? [451, 'Try again later'] : null), 'data');
  const s421 = await smtp((n) => (n < 2 ? [421, 'Too busy, closing'] : null), 'rcpt');
  try {
    assert.match(await run(demo.db, ['notices', 'send'], { port: s451.port }), /sent 2, to retry 2, dead 0/);
    let l = await list(demo.db);
    assert.ok(l.filter((q) => q.state === 'retrying').every((q) => /^451 /.test(q.last_error)));
    assert.match(await run(demo.db, ['notices', 'send'], { port: s421.port, now: nowPlus(90) }), /sent 0, to retry 2/);
    l = await list(demo.db);
    assert.ok(l.filter((q) => q.state === 'retrying').every((q) => /^421 /.test(q.last_error) && q.attempts === 2));
    assert.match(await run(demo.db, ['notices', 'send'], { port: s421.port, now: nowPlus(400) }), /sent 2, to retry 0/);
    assert.equal(s451.messages.length + s421.messages.length, 4);
    const ids = (await Promise.all([...s451.messages, ...s421.messages].map((m) => simpleParser(m.raw)))).map((m) => m.messageId);
    assert.equal(new Set(ids).size, 4);
  } finally {
    await s451.close();
    await s421.close();
    rmSync(demo.dir, { recursive: true, force: true });
  }
});

test('550 is dead with the reason shown; retry puts it back', async () => {
  const demo = await vendorNotices();
  const refuse = await smtp((n, session) => (session.envelope.rcptTo.some((r) => /sunflower/.test(r.address))
    ? [550, '5.1.1 <ar@sunflower-interiors.example>: mailbox unavailable'] : null), 'data');
  const ok = await smtp();
  try {
    assert.match(await run(demo.db, ['notices', 'send'], { port: refuse.port }), /sent 3, to retry 0, dead 1/);
    const text = await run(demo.db, ['notices', 'list']);
    assert.match(text, /dead\s+1\s+550 5\.1\.1 <ar@sunflower-interiors\.example>: mailbox unavailable/);
    const dead = (await list(demo.db)).find((q) => q.state === 'dead');
    // dead stays dead, whatever the clock says
    assert.match(await run(demo.db, ['notices', 'send'], { port: ok.port, now: nowPlus(86400) }), /sent 0,/);
    assert.match(await run(demo.db, ['notices', 'retry', String(dead.id)]), /queued again/);
    assert.match(await run(demo.db, ['notices', 'send'], { port: ok.port }), /sent 1,/);
    assert.equal(ok.messages.length, 1);
    const { stdout } = await sqlite(demo.db, "SELECT count(*) FROM audit_log WHERE action = 'notice.retry'");
    assert.equal(stdout.trim(), '1');
  } finally {
    await refuse.close();
    await ok.close();
    rmSync(demo.dir, { recursive: true, force: true });
  }
});

test('a connection dropped in the middle of DATA is retried', async () => {
  const demo = await vendorNotices();
  const drop = await droppingServer();
  const ok = await smtp();
  try {
    assert.match(await run(demo.db, ['notices', 'send'], { port: drop.port }), /sent 0, to retry 4, dead 0/);
    assert.match(await run(demo.db, ['notices', 'send'], { port: ok.port, now: nowPlus(120) }), /sent 4,/);
    assert.equal(ok.messages.length, 4);
  } finally {
    await drop.close();
    await ok.close();
    rmSync(demo.dir, { recursive: true, force: true });
  }
});

// A front for an SMTP server on port upstream, listening on port when
// started: cut(n) says whether connection n (0-based) is dropped in the
// middle of its DATA, after the client has sent part of the message.
async function cuttingProxy(port, upstream, cut) {
  let n = 0;
  const stats = { connections: 0, cut: 0 };
  const socks = new Set();
  const srv = createServer((client) => {
    const i = n++;
    stats.connections++;
    const up = connect(upstream, '127.0.0.1');
    socks.add(client); socks.add(up);
    let inData = false, sent = 0, done = false;
    const drop = () => { if (!done) { done = true; stats.cut++; client.destroy(); up.destroy(); } };
    client.on('data', (buf) => {
      if (done) return;
      if (inData && cut(i)) {
        sent += buf.length;
        if (sent > 3000) return drop(); // half a message, then gone
      }
      if (/\r\nDATA\r\n|^DATA\r\n/i.test(buf.toString('latin1'))) inData = true;
      up.write(buf);
    });
    up.on('data', (buf) => { if (!done) client.write(buf); });
    for (const s of [client, up]) {
      s.on('error', () => {});
      s.on('close', () => { done = true; client.destroy(); up.destroy(); socks.delete(s); });
    }
  });
  await new Promise((r) => srv.listen(port, '127.0.0.1', r));
  return { stats, close: () => { for (const s of socks) s.destroy(); return new Promise((r) => srv.close(r)); } };
}

test('hundreds of notices through every fault at once: each delivered once or dead with its reason', async (t) => {
  const demo = demoDatabase();
  let faults = true;
  const count = { rcpt: 0, data: 0, 421: 0, 451: 0, 550: 0 };
  let dead = new Set();
  const messages = [];
  // the server: 550 for a few recipients always; while faults are on, 421
  // to every 7th RCPT and 451 at the end of every 5th DATA
  const server = new SMTPServer({
    authOptional: true, disabledCommands: ['STARTTLS'], logger: false,
    onRcptTo(addr, session, cb) {
      const n = count.rcpt++;
      const fail = (code, text) => { count[code]++; const e = new Error(text); e.responseCode = code; cb(e); };
      if (dead.has(addr.address)) return fail(550, `5.1.1 <${addr.address}>: mailbox unavailable`);
      if (faults && n % 7 === 2) return fail(421, '4.3.2 too busy, closing');
      return cb();
    },
    onData(stream, session, cb) {
      const chunks = [];
      stream.on('data', (c) => chunks.push(c));
      stream.on('end', () => {
        const n = count.data++;
        if (faults && n % 5 === 3) {
          count[451]++;
          const e = new Error('4.7.1 try again later'); e.responseCode = 451; return cb(e);
        }
        messages.push(Buffer.concat(chunks));
        cb(null, 'queued');
      });
    },
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const port = await freePort();
  let proxy = null;
  try {
    await run(demo.db, ['notices', 'queue'], { date: '2026-08-10' });
    await run(demo.db, ['notices', 'queue']);
    const all = await list(demo.db);
    const total = all.length;
    assert.ok(total >= 200, `${total} notices`);
    const statements = [...new Set(all.filter((q) => q.kind === 'statement_ready').map((q) => q.recipient))].sort();
    dead = new Set([statements[3], statements[40], statements[77]]);

    // the server is down for a while: every notice waits to be retried
    assert.match(await run(demo.db, ['notices', 'send'], { port }), new RegExp(`sent 0, to retry ${total}, dead 0`));
    let l = await list(demo.db);
    assert.ok(l.every((q) => q.state === 'retrying' && q.attempts === 1 && /refused/i.test(q.last_error)));

    // then up, behind a front that drops every 11th connection mid-DATA
    proxy = await cuttingProxy(port, server.server.address().port, (i) => faults && i % 11 === 5);
    let now = nowPlus(0);
    for (let round = 1; round <= 8; round++) {
      now += 3600;
      faults = round <= 2;
      await run(demo.db, ['notices', 'send'], { port, now });
      l = await list(demo.db);
      if (l.every((q) => q.state === 'sent' || q.state === 'dead')) break;
    }
    for (const k of [421, 451, 550]) assert.ok(count[k] > 0, `${k} was answered (${JSON.stringify(count)})`);
    assert.ok(proxy.stats.cut > 0, 'connections were dropped in the middle of DATA');
    t.diagnostic(`${total} notices; answered 421 x${count[421]}, 451 x${count[451]}, 550 x${count[550]}; ` +
      `${proxy.stats.cut} connections dropped mid-DATA`);

    // every notice is sent, or dead with the server's reason; none waits, none lost
    const byState = (s) => l.filter((q) => q.state === s);
    assert.equal(byState('sent').length + byState('dead').length, total, JSON.stringify(l.find((q) =>
      q.state !== 'sent' && q.state !== 'dead')));
    assert.deepEqual(byState('dead').map((q) => q.id).sort(), l.filter((q) => dead.has(q.recipient)).map((q) => q.id).sort());
    assert.equal(new Set(byState('dead').map((q) => q.recipient)).size, 3);
    assert.ok(byState('dead').every((q) => /^550 5\.1\.1 <.+>: mailbox unavailable$/.test(q.last_error)), byState('dead')[0].last_error);
    // delivered exactly once each: the notice ids of the messages received
    const ids = (await Promise.all(messages.map((m) => simpleParser(m)))).map(noticeId);
    assert.equal(ids.length, new Set(ids).size, 'no notice delivered twice');
    assert.deepEqual([...ids].sort((a, b) => a - b), byState('sent').map((q) => q.id).sort((a, b) => a - b));
    assert.ok(byState('sent').some((q) => q.attempts >= 3), 'some went through after failing more than once');

    // queuing again after everything was sent adds nothing; sending sends nothing
    assert.match(await run(demo.db, ['notices', 'queue']), /queued 0 new notices/);
    assert.match(await run(demo.db, ['notices', 'queue'], { date: '2026-08-10' }), /queued 0 new notices/);
    assert.match(await run(demo.db, ['notices', 'send'], { port, now: now + 86400 }), /sent 0, to retry 0, dead 0/);
    assert.equal(messages.length, ids.length);
  } finally {
    if (proxy) await proxy.close();
    await new Promise((r) => server.close(r));
    rmSync(demo.dir, { recursive: true, force: true });
  }
});

test('no transaction is open while the server answers: a remit in parallel succeeds', async () => {
  const demo = await vendorNotices();
  let first = true, inData;
  const inDataSeen = new Promise((r) => { inData = r; });
  const messages = [];
  // the first message's end of DATA is answered after 7 s, longer than the
  // 5 s any writer waits for the database
  const slow = new SMTPServer({
    authOptional: true, disabledCommands: ['STARTTLS'], logger: false,
    onData(stream, session, cb) {
      const chunks = [];
      stream.on('data', (c) => chunks.push(c));
      stream.on('end', () => {
        messages.push(Buffer.concat(chunks));
        if (!first) return cb(null, 'queued');
        first = false;
        inData();
        setTimeout(() => cb(null, 'queued'), 7000);
      });
    },
  });
  await new Promise((r) => slow.listen(0, '127.0.0.1', r));
  try {
    const sender = start(demo.db, ['notices', 'send'], { port: slow.server.address().port });
    await inDataSeen;
    const l = await list(demo.db);
    assert.equal(l.filter((q) => q.state === 'sending').length, 1, 'the notice being sent is claimed');
    assert.match(l.find((q) => q.state === 'sending').lease_until, /^\d{4}-\d\d-\d\dT/);
    const t0 = Date.now();
    const out = await run(demo.db, ['remit', '--contract', 'KS-FURN-2025', '--period', '2026-Q2',
      '--amount', '12.34', '--received', '2026-11-24', '--ref', 'ACH-PARALLEL']);
    assert.ok(Date.now() - t0 < 4000, `remit waited ${Date.now() - t0} ms for the database`);
    assert.match(out, /ACH-PARALLEL|recorded|12\.34/i);
    const { code, out: sent } = await sender.done;
    assert.equal(code, 0, sent);
    assert.match(sent, /sent 4, to retry 0, dead 0/);
    assert.equal(messages.length, 4);
    assert.ok((await list(demo.db)).every((q) => q.state === 'sent'));
  } finally {
    await new Promise((r) => slow.close(r));
    rmSync(demo.dir, { recursive: true, force: true });
  }
});

test('a sender that dies mid-conversation: its claim lapses, then the notice goes once', async () => {
  const demo = await vendorNotices();
  const silent = await silentServer();
  const ok = await smtp();
  try {
    const sender = start(demo.db, ['notices', 'send'], { port: silent.port });
    await until('the first notice to be claimed', async () =>
      (await list(demo.db)).some((q) => q.state === 'sending'));
    sender.proc.kill('SIGKILL');
    assert.equal((await sender.done).signal, 'SIGKILL');
    let l = await list(demo.db);
    const claimed = l.find((q) => q.state === 'sending');
    assert.ok(claimed && l.filter((q) => q.state === 'sending').length === 1, JSON.stringify(l));
    // while the claim lasts nobody else sends it
    assert.match(await run(demo.db, ['notices', 'send'], { port: ok.port }), /sent 3, to retry 0, dead 0/);
    assert.equal((await list(demo.db)).find((q) => q.id === claimed.id).state, 'sending');
    // two senders at once after the lease (600 s): exactly one takes it over
    const later = nowPlus(601);
    const [a, b] = await Promise.all([run(demo.db, ['notices', 'send'], { port: ok.port, now: later }),
      run(demo.db, ['notices', 'send'], { port: ok.port, now: later })]);
    assert.deepEqual([a, b].map((o) => Number(o.match(/sent (\d+)/)[1])).sort(), [0, 1]);
    l = await list(demo.db);
    const again = l.find((q) => q.id === claimed.id);
    assert.equal(again.state, 'sent');
    assert.equal(again.attempts, 2, 'the lost attempt is counted');
    const mails = await Promise.all(ok.messages.map((m) => simpleParser(m.raw)));
    assert.equal(mails.length, 4);
    assert.deepEqual(mails.map(noticeId).sort(), l.map((q) => q.id).sort());
  } finally {
    await silent.close();
    await ok.close();
    rmSync(demo.dir, { recursive: true, force: true });
  }
});

test('two senders at once never send a notice twice', async () => {
  const demo = demoDatabase();
  await run(demo.db, ['notices', 'queue']);
  await sqlite(demo.db, "DELETE FROM outbox WHERE kind = 'statement_ready' AND id NOT IN " +
    "(SELECT id FROM outbox WHERE kind = 'statement_ready' ORDER BY id LIMIT 24)");
  const srv = await smtp();
  try {
    const total = (await list(demo.db)).length;
    assert.equal(total, 28);
    const outs = await Promise.all([1, 2, 3].map(() => run(demo.db, ['notices', 'send'], { port: srv.port })));
    const sent = outs.map((o) => Number(o.match(/sent (\d+)/)[1]));
    assert.equal(sent.reduce((x, y) => x + y), total, outs.join(' | '));
    const ids = (await Promise.all(srv.messages.map((m) => simpleParser(m.raw)))).map(noticeId);
    assert.equal(ids.length, total);
    assert.equal(new Set(ids).size, total);
  } finally {
    await srv.close();
    rmSync(demo.dir, { recursive: true, force: true });
  }
});

// A self-signed certificate made with openssl for names (DNS:… or IP:…).
async function selfSigned(dir, name, names) {
  const key = join(dir, `${name}.key`), cert = join(dir, `${name}.pem`);
  await execFile('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key,
    '-out', cert, '-days', '2', '-subj', '/CN=coopledger test', '-addext', `subjectAltName=${names}`]);
  return { key: readFileSync(key), cert: readFileSync(cert), certFile: cert };
}

// An SMTP server speaking TLS from the first byte, with AUTH.
async function tlsServer(creds) {
  const messages = [], logins = [];
  const server = new SMTPServer({
    secure: true, key: creds.key, cert: creds.cert, logger: false, authMethods: ['PLAIN', 'LOGIN'],
    onAuth(auth, session, cb) {
      logins.push([auth.username, auth.password]);
      return auth.password === 'p@ss:w/rd%' ? cb(null, { user: auth.username }) : cb(new Error('bad password'));
    },
    onData(stream, session, cb) {
      const chunks = [];
      stream.on('data', (c) => chunks.push(c));
      stream.on('end', () => {
        messages.push({ raw: Buffer.concat(chunks), secure: session.secure, user: session.user });
        cb(null, 'queued');
      });
    },
  });
  server.on('error', () => {}); // a client refusing our certificate is not the server's failure
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { port: server.server.address().port, messages, logins, close: () => new Promise((r) => server.close(r)) };
}

test('smtps://: TLS from the first byte, the certificate verified, AUTH inside', async () => {
  const demo = await vendorNotices();
  const dir = mkdtempSync(join(tmpdir(), 'coopledger-tls-'));
  const good = await selfSigned(dir, 'good', 'DNS:localhost,IP:127.0.0.1');
  const other = await selfSigned(dir, 'other', 'DNS:mail.other.example');
  const srv = await tlsServer(good);
  const wrong = await tlsServer(other);
  const user = 'notices%40usd259.ks.example:p%40ss%3Aw%2Frd%25';
  const url = (port, extra = '') => `smtps://${user}@127.0.0.1:${port}${extra}`;
  try {
    // verification is on by default: a self-signed certificate is refused
    assert.match(await run(demo.db, ['notices', 'send'], { url: url(srv.port) }), /sent 0, to retry 4, dead 0/);
    let l = await list(demo.db);
    assert.ok(l.every((q) => /certificate does not verify: self.signed certificate/.test(q.last_error)), l[0].last_error);
    assert.equal(srv.messages.length + srv.logins.length, 0, 'nothing went over an unverified connection');
    // trusted through cafile=, but made out for another name: refused too
    assert.match(await run(demo.db, ['notices', 'send'],
      { url: url(wrong.port, `?cafile=${encodeURIComponent(other.certFile)}`), now: nowPlus(90) }), /sent 0, to retry 4/);
    l = await list(demo.db);
    assert.ok(l.every((q) => /certificate does not verify: (IP address|hostname) mismatch/.test(q.last_error)), l[0].last_error);
    assert.equal(wrong.messages.length, 0);
    // trusted and made out for 127.0.0.1: delivered, logged in with the decoded user and password
    assert.match(await run(demo.db, ['notices', 'send'],
      { url: url(srv.port, `?cafile=${encodeURIComponent(good.certFile)}&timeout=20`), now: nowPlus(400) }),
      /sent 4, to retry 0, dead 0/);
    assert.equal(srv.messages.length, 4);
    assert.ok(srv.messages.every((m) => m.secure && m.user === 'notices@usd259.ks.example'));
    assert.deepEqual(srv.logins[0], ['notices@usd259.ks.example', 'p@ss:w/rd%']);
    const mails = await Promise.all(srv.messages.map((m) => simpleParser(m.raw)));
    const fee = mails.find((m) => /fee statement/.test(m.subject));
    assert.equal(fee.attachments[0].contentType, 'application/pdf'); // a big message crosses the relay whole
    assert.ok(fee.attachments[0].content.length > 10000);
    assert.ok((await list(demo.db)).every((q) => q.state === 'sent'));
  } finally {
    await srv.close();
    await wrong.close();
    rmSync(dir, { recursive: true, force: true });
    rmSync(demo.dir, { recursive: true, force: true });
  }
});

test('a bad SMTP URL is refused with a readable message', async () => {
  const demo = await vendorNotices();
  try {
    await assert.rejects(run(demo.db, ['notices', 'send'], { url: 'smtps://h?starttls=required' }),
      (err) => /COOPLEDGER_SMTP_URL: starttls= does not apply to smtps:\/\//.test(err.stderr));
    await assert.rejects(run(demo.db, ['notices', 'send'], { url: 'smtp://h:99999' }),
      (err) => /COOPLEDGER_SMTP_URL: bad port "99999"/.test(err.stderr));
    assert.ok((await list(demo.db)).every((q) => q.state === 'queued' && q.attempts === 0));
  } finally {
    rmSync(demo.dir, { recursive: true, force: true });
  }
});

// The server with its background sender every second, delivering to port.
async function serveWithSender(db, port) {
  const saved = { ...process.env };
  Object.assign(process.env, { COOPLEDGER_OUTBOX_INTERVAL: '1', COOPLEDGER_MAIL_FROM: FROM,
    COOPLEDGER_SMTP_URL: `smtp://127.0.0.1:${port}?starttls=none` });
  try {
    return await startServer(db);
  } finally {
    for (const k of ['COOPLEDGER_OUTBOX_INTERVAL', 'COOPLEDGER_MAIL_FROM', 'COOPLEDGER_SMTP_URL']) {
      if (k in saved) process.env[k] = saved[k]; else delete process.env[k];
    }
  }
}

// POST a form as a signed-in user; returns {status, notice} (the message the
// page redirected to shows).
async function postForm(url, path, s, fields) {
  const res = await fetch(`${url}${path}`, {
    method: 'POST', redirect: 'manual',
    headers: { cookie: s.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields),
  });
  const loc = res.headers.get('location') || '';
  if (res.status !== 303) return { status: res.status, notice: '' };
  // the message is kept for the session and shown once on the page redirected to
  const page = await (await fetch(new URL(loc, url), { headers: { cookie: s.cookie } })).text();
  const m = page.match(/<p class="(?:notice|error)" role="(?:status|alert)"[^>]*><strong>(?:Done|Error):<\/strong> ([^<]*)<\/p>/);
  const text = (m ? m[1] : '').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  return { status: res.status, notice: text };
}

test('the server sends in the background; finance retries a dead notice and sends one statement from the web', async () => {
  const demo = demoDatabase();
  // notice contacts: the vendors' and USD233's only
  await sqlite(demo.db, "UPDATE agency_contact SET receives_notices = 0 WHERE agency_id <> " +
    "(SELECT id FROM agency WHERE code = 'USD233')");
  let refuse = true;
  const srv = await smtp((n, session) => (refuse && session.envelope.rcptTo.some((r) => /sunflower/.test(r.address))
    ? [550, '5.1.1 <ar@sunflower-interiors.example>: mailbox unavailable'] : null), 'data');
  const web = await serveWithSender(demo.db, srv.port);
  try {
    // the background sender queues what is due and delivers it, on its own
    await until('the background sender to deliver', async () => srv.messages.length >= 4 &&
      (await list(demo.db)).some((q) => q.state === 'dead'));
    let l = await list(demo.db);
    assert.equal(l.length, 5, JSON.stringify(l.map((q) => q.kind)));
    assert.deepEqual(l.map((q) => q.state).sort(), ['dead', 'sent', 'sent', 'sent', 'sent']);
    assert.ok(l.some((q) => q.kind === 'statement_ready' && q.recipient === 'purchasing@usd233.ks.example'));
    const dead = l.find((q) => q.state === 'dead');

    // retry on the web: finance with the form's CSRF token; not a member, not without the token
    const finance = await session(web.url, demo.users.finance);
    const member = await session(web.url, demo.users.member);
    assert.equal((await postForm(web.url, `/outbox/${dead.id}/retry`, member, { csrf: member.csrf })).status, 404);
    assert.equal((await postForm(web.url, `/outbox/${dead.id}/retry`, finance, {})).status, 403);
    assert.equal((await list(demo.db)).find((q) => q.id === dead.id).state, 'dead');
    refuse = false;
    const retried = await postForm(web.url, `/outbox/${dead.id}/retry`, finance, { csrf: finance.csrf });
    assert.equal(retried.status, 303);
    assert.equal(retried.notice, `Notice ${dead.id} is queued again.`);
    await until('the retried notice to go', async () => (await list(demo.db)).find((q) => q.id === dead.id).state === 'sent');
    assert.equal(srv.messages.length, 5);
    const { stdout: audit } = await sqlite(demo.db,
      "SELECT actor FROM audit_log WHERE action = 'notice.retry'");
    assert.equal(audit.trim(), `web:${demo.users.finance.email}`);
    assert.match((await postForm(web.url, `/outbox/${dead.id}/retry`, finance, { csrf: finance.csrf })).notice,
      /^Not retried: notice \d+ is not dead/);

    // the Send button next to a statement download: finance and admin only
    const page = await (await fetch(`${web.url}/agencies/USD233`, { headers: { cookie: finance.cookie } })).text();
    assert.match(page, /<form method="post" action="\/contracts\/KS-FURN-2025\/statements\/USD233\/send"[^>]*><input type="hidden" name="csrf" value="[^"]+">[\s\S]*?<select name="period">[\s\S]*?<option value="2026-Q3" selected>/);
    const portal = await (await fetch(`${web.url}/`, { headers: { cookie: member.cookie } })).text();
    assert.match(portal, /statements\/USD233\?period=2026-Q3/);
    assert.doesNotMatch(portal, /statements\/USD233\/send/);
    const send = (s, fields) => postForm(web.url, '/contracts/KS-FURN-2025/statements/USD233/send', s, fields);
    assert.equal((await send(member, { csrf: member.csrf, period: '2026-Q2' })).status, 404);
    assert.equal((await send(finance, { period: '2026-Q2' })).status, 403);
    assert.match((await send(finance, { csrf: finance.csrf, period: '2026-Q3' })).notice, /already in the outbox/);
    assert.match((await send(finance, { csrf: finance.csrf, period: '2026-Q4' })).notice, /^Not queued: 2026-Q4 has not ended yet/);
    assert.match((await send(finance, { csrf: finance.csrf, period: 'soon' })).notice, /^Not queued: /);
    // 2026-Q2's report was filed long before the 45-day window: only the button sends it
    const queued = await send(finance, { csrf: finance.csrf, period: '2026-Q2' });
    assert.equal(queued.status, 303);
    assert.match(queued.notice, /^Queued the 2026-Q2 statement of USD233 under KS-FURN-2025 \(1 notice\)/);
    await until('the statement to go', async () => srv.messages.length === 6);
    const mail = await simpleParser(srv.messages[5].raw);
    assert.match(mail.subject, /your 2026-Q2 statement for KS-FURN-2025 is ready$/);
    assert.equal(mail.attachments[0].filename, 'member-KS-FURN-2025-2026-Q2-USD233.pdf');
    assert.match((await send(finance, { csrf: finance.csrf, period: '2026-Q2' })).notice, /already in the outbox/);
    await sleep(1500); // another background pass or two: nothing is sent twice
    assert.equal(srv.messages.length, 6);
    l = await list(demo.db);
    assert.ok(l.every((q) => q.state === 'sent'), JSON.stringify(l.filter((q) => q.state !== 'sent')));
  } finally {
    await web.stop();
    await srv.close();
    rmSync(demo.dir, { recursive: true, force: true });
  }
});
