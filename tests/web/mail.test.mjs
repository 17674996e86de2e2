// E-mail notices end to end: the real binary queues and sends to a real
// SMTP server on loopback (smtp-server), the messages are read back with
// mailparser and their PDF statements with pdftotext.  Faults: server down,
// 421/451, 550, a connection dropped in the middle of DATA.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile as execFileCb } from 'node:child_process';
import { promisify } from 'node:util';
import { createServer } from 'node:net';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';
import { bin, asOf, demoDatabase } from './lib.mjs';

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

// Run the CLI asynchronously (the SMTP server lives in this process).
async function run(db, args, { port, now, date = asOf } = {}) {
  const env = { ...process.env, COOPLEDGER_MAIL_FROM: FROM };
  if (port) env.COOPLEDGER_SMTP_URL = `smtp://127.0.0.1:${port}?starttls=none`;
  if (now) env.COOPLEDGER_NOW = String(now);
  const { stdout } = await execFile(bin, ['--db', db, '--as-of', date, ...args],
    { env, maxBuffer: 64 << 20 });
  return stdout;
}

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
    // 180 member statements for KS-FURN-2025 2026-Q3, its fee statement, two
    // overdue fees and the missing KS-OFFC-2025 report: realistic, not 290 x quarters
    const kinds = {};
    for (const q of queued) kinds[q.kind] = (kinds[q.kind] || 0) + 1;
    assert.ok(kinds.statement_ready >= 100 && kinds.statement_ready <= 290, JSON.stringify(kinds));
    assert.equal(kinds.fee_statement, 1);
    assert.equal(kinds.fee_overdue, 2);
    assert.equal(kinds.report_overdue, 1);

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

test('hundreds of notices through a flaky server: none lost, none twice', async () => {
  const demo = demoDatabase();
  // every 5th message refused with 451, every 7th RCPT with 421
  const flaky = await smtp((n) => (n % 5 === 3 ? [451, 'flaky'] : null), 'data');
  try {
    await run(demo.db, ['notices', 'queue'], { date: '2026-08-10' });
    await run(demo.db, ['notices', 'queue']);
    const total = (await list(demo.db)).length;
    assert.ok(total >= 200, `${total} notices`);
    let now = nowPlus(0);
    for (let round = 0; round < 8; round++) {
      await run(demo.db, ['notices', 'send'], { port: flaky.port, now });
      now += 3600;
    }
    const l = await list(demo.db);
    assert.ok(l.every((q) => q.state === 'sent'), JSON.stringify(l.find((q) => q.state !== 'sent')));
    const ids = (await Promise.all(flaky.messages.map((m) => simpleParser(m.raw)))).map((m) => m.messageId);
    assert.equal(ids.length, total);
    assert.equal(new Set(ids).size, total);
    assert.match(await run(demo.db, ['notices', 'queue']), /queued 0 new notices/);
  } finally {
    await flaky.close();
    rmSync(demo.dir, { recursive: true, force: true });
  }
});
