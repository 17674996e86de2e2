/* send.c — delivering the outbox; see send.h. */
#include "send.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "account.h"
#include "db.h"
#include "embedded.h"
#include "inquiry.h"
#include "mime.h"
#include "mustache.h"

#define SEND_BATCH 10000 /* most notices one run delivers */

static MailStatementFn statement_hook;

void mail_set_statement_hook(MailStatementFn fn)
{
	statement_hook = fn;
}

/* The base of set-password links: base (NULL or "": the default) without
 * its trailing "/".  OUT: c->base_url. */
static ClCode base_url_set(MailConfig *c, const char *base, Err *e)
{
	size_t n;

	if (!base || !*base)
		base = "http://127.0.0.1:8080";
	if ((strncmp(base, "http://", 7) != 0 && strncmp(base, "https://", 8) != 0) ||
	    strpbrk(base, " \t\r\n\"'<>?#") || strlen(base) >= sizeof c->base_url)
		return err_set(e, CL_EINPUT,
			       "COOPLEDGER_BASE_URL must be the web UI's address as people reach "
			       "it, such as https://coop.usd259.example (no query, at most %d "
			       "characters)",
			       (int)sizeof c->base_url - 1);
	snprintf(c->base_url, sizeof c->base_url, "%s", base);
	n = strlen(c->base_url);
	while (n > 0 && c->base_url[n - 1] == '/')
		c->base_url[--n] = '\0';
	return CL_OK;
}

ClCode mail_config_from_env(MailConfig *c, Err *e)
{
	const char *url = getenv("COOPLEDGER_SMTP_URL"), *from = getenv("COOPLEDGER_MAIL_FROM");
	const char *dir = getenv("COOPLEDGER_MAIL_DIR");

	memset(c, 0, sizeof *c);
	snprintf(c->from, sizeof c->from, "%s", from && *from ? from : "coopledger@localhost");
	if (!strchr(c->from, '@') || strpbrk(c->from, " <>\r\n"))
		return err_set(e, CL_EINPUT,
			       "COOPLEDGER_MAIL_FROM must be a bare address such as "
			       "notices@usd259.example");
	snprintf(c->dir, sizeof c->dir, "%s", dir && *dir ? dir : "mail-out");
	if (base_url_set(c, getenv("COOPLEDGER_BASE_URL"), e))
		return CL_EINPUT;
	if (url && *url) {
		c->use_smtp = 1;
		return mail_smtp_parse_url(url, &c->smtp, e);
	}
	return CL_OK;
}

/* ---- templates ---- */

/* Partials come from templates/mail/ (the layout of the HTML parts). */
static const char *mail_partial(void *ctx, const char *name, size_t *len)
{
	char path[200];
	const EmbeddedFile *f;

	(void)ctx;
	snprintf(path, sizeof path, "templates/mail/%s.mustache", name);
	f = embedded_find(path);
	if (!f)
		return NULL;
	*len = f->size;
	return f->data;
}

char *mail_render(const char *kind, const char *part, const cJSON *data, Err *e)
{
	MustacheOptions opt = {mail_partial, NULL, 1 << 20, 0};
	char path[200];
	const EmbeddedFile *f;
	Err me = {0};
	char *out;

	snprintf(path, sizeof path, "templates/mail/%s.%s.mustache", kind, part);
	f = embedded_find(path);
	if (!f) {
		err_set(e, CL_ENOTFOUND, "no template %s", path);
		return NULL;
	}
	out = mustache_render(f->data, f->size, data, &opt, &me);
	if (!out)
		err_set(e, me.code, "%s: %s", path, me.msg);
	return out;
}

/* A subject on one line: line breaks become spaces, ends trimmed. */
static void one_line(char *s)
{
	char *p;
	size_t n;

	for (p = s; *p; p++)
		if (*p == '\r' || *p == '\n' || *p == '\t')
			*p = ' ';
	for (p = s; *p == ' '; p++)
		;
	memmove(s, p, strlen(p) + 1);
	n = strlen(s);
	while (n > 0 && s[n - 1] == ' ')
		s[--n] = '\0';
}

/* ---- one notice ---- */

/* The three rendered parts of a notice. */
typedef struct Parts {
	char *subject, *text, *html;
	MailStatement att;
} Parts;

static void parts_free(Parts *p)
{
	free(p->subject);
	free(p->text);
	free(p->html);
	free(p->att.data);
}

/* A set-password notice (user_invite, password_reset) carries a link with
 * a token made now (account_link_token: only its hash is stored, never
 * the token): data gets "link".  Other notices are left as they are. */
static ClCode add_link(sqlite3 *db, const MailConfig *c, const OutboxNotice *n, int64_t now,
		       cJSON *data, Err *e)
{
	char token[ACCOUNT_TOKEN_BUF], link[700];
	const cJSON *exp = cJSON_GetObjectItemCaseSensitive(data, "expires_at");
	ClCode rc;

	if (strcmp(n->kind, "user_invite") != 0 && strcmp(n->kind, "password_reset") != 0)
		return CL_OK;
	if (!cJSON_IsNumber(exp))
		return err_set(e, CL_EINPUT, "notice %lld: its link has no expiry",
			       (long long)n->id);
	rc = account_link_token(db, n->recipient, n->kind, (int64_t)exp->valuedouble, now, token,
				e);
	if (rc)
		return rc;
	snprintf(link, sizeof link, "%s/password?token=%s", c->base_url, token);
	sodium_memzero(token, sizeof token);
	cJSON_AddStringToObject(data, "link", link);
	return CL_OK;
}

/* The CSV a completeness_inquiry notice carries: its inquiry's POs exactly
 * as they were asked about (inquiry_csv), whenever it is sent. */
static ClCode inquiry_attachment(sqlite3 *db, const OutboxNotice *n, MailStatement *att, Err *e)
{
	cJSON *data = cJSON_Parse(n->data_json);
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(data, "inquiry");
	Inquiry inq;
	char *csv = NULL;
	size_t len = 0;
	ClCode rc;

	if (!cJSON_IsNumber(id)) {
		cJSON_Delete(data);
		return err_set(e, CL_EINPUT, "notice %lld: it names no inquiry", (long long)n->id);
	}
	rc = inquiry_load(db, (int64_t)id->valuedouble, &inq, e);
	cJSON_Delete(data);
	if (!rc)
		rc = inquiry_csv(db, inq.id, &csv, &len, e);
	if (rc)
		return rc;
	att->data = (unsigned char *)csv;
	att->len = len;
	inquiry_csv_name(&inq, att->filename, sizeof att->filename);
	snprintf(att->type, sizeof att->type, "text/csv");
	return CL_OK;
}

static ClCode render_parts(sqlite3 *db, const MailConfig *c, const OutboxNotice *n, Date today,
			   int64_t now, Parts *p, Err *e)
{
	cJSON *data = cJSON_Parse(n->data_json);
	ClCode rc = CL_OK;

	memset(p, 0, sizeof *p);
	if (!data)
		return err_set(e, CL_EINPUT, "notice %lld: its data is not JSON", (long long)n->id);
	cJSON_AddStringToObject(data, "recipient", n->recipient);
	cJSON_AddStringToObject(data, "rcpt_name", n->rcpt_name);
	if (add_link(db, c, n, now, data, e) ||
	    !(p->subject = mail_render(n->kind, "subject", data, e)) ||
	    !(p->text = mail_render(n->kind, "text", data, e)) ||
	    !(p->html = mail_render(n->kind, "html", data, e)))
		rc = e->code ? e->code : CL_EINPUT;
	cJSON_Delete(data);
	if (rc == CL_OK)
		one_line(p->subject);
	if (rc == CL_OK && statement_hook &&
	    (strcmp(n->kind, "statement_ready") == 0 || strcmp(n->kind, "fee_statement") == 0))
		rc = statement_hook(db, n, today, &p->att, e);
	if (rc == CL_OK && strcmp(n->kind, "completeness_inquiry") == 0)
		rc = inquiry_attachment(db, n, &p->att, e);
	return rc;
}

/* The message of notice n.  Caller frees.  OUT: *len. */
static char *compose(const MailConfig *c, const OutboxNotice *n, const Parts *p, int64_t now,
		     size_t *len, Err *e)
{
	char mid[400];
	const char *domain = strchr(c->from, '@') + 1;
	MimeAttachment a = {p->att.filename, p->att.type[0] ? p->att.type : "application/pdf",
			    p->att.data, p->att.len};
	MimeMessage m = {c->from,
			 "coopledger notices",
			 n->recipient,
			 n->rcpt_name,
			 p->subject,
			 p->text,
			 p->html,
			 mid,
			 now,
			 n->token,
			 p->att.data ? &a : NULL,
			 p->att.data ? 1 : 0};

	snprintf(mid, sizeof mid, "<notice-%lld.%s@%s>", (long long)n->id, n->token, domain);
	return mime_compose(&m, len, e);
}

/* mkdir -p of dir. */
static int make_dirs(const char *dir)
{
	char path[1024];
	char *p;

	snprintf(path, sizeof path, "%s", dir);
	for (p = path + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			if (mkdir(path, 0777) && errno != EEXIST)
				return -1;
			*p = '/';
		}
	return mkdir(path, 0777) && errno != EEXIST ? -1 : 0;
}

/* Write msg as DIR/notice-ID.eml (through a temporary file and rename, so
 * a reader never sees half a message). */
static SmtpOutcome write_eml(const MailConfig *c, const OutboxNotice *n, const char *msg,
			     size_t len, char *reason, size_t rn)
{
	char tmp[1100], path[1060];
	FILE *f;
	int ok;

	if (make_dirs(c->dir)) {
		snprintf(reason, rn, "cannot create %.300s: %s", c->dir, strerror(errno));
		return SMTP_TEMPORARY;
	}
	snprintf(path, sizeof path, "%.1024s/notice-%06lld.eml", c->dir, (long long)n->id);
	snprintf(tmp, sizeof tmp, "%.1060s.tmp", path);
	f = fopen(tmp, "wb");
	if (!f) {
		snprintf(reason, rn, "cannot write %.300s: %s", tmp, strerror(errno));
		return SMTP_TEMPORARY;
	}
	ok = fwrite(msg, 1, len, f) == len;
	ok = fflush(f) == 0 && ok;
	ok = fsync(fileno(f)) == 0 && ok;
	ok = fclose(f) == 0 && ok;
	if (!ok || rename(tmp, path)) {
		snprintf(reason, rn, "cannot write %.300s: %s", path, strerror(errno));
		unlink(tmp);
		return SMTP_TEMPORARY;
	}
	snprintf(reason, rn, "written to %.300s", path);
	return SMTP_SENT;
}

/* What the SMTP session's progress callback needs to renew our claim. */
typedef struct Lease {
	sqlite3 *db;
	int64_t id, renewed; /* when the lease was last extended */
	const char *claim;
} Lease;

/* Called by mail_smtp_send() whenever the server reads or answers: extend
 * the claim's lease once a minute, so a live sender never loses it while
 * a dead one's lapses after OUTBOX_LEASE seconds.  Runs in the sending
 * thread, which is the only user of db meanwhile. */
static void lease_renew(void *arg)
{
	Lease *l = arg;
	int64_t t = outbox_now();

	if (t - l->renewed < OUTBOX_LEASE / 10)
		return;
	if (outbox_renew(l->db, l->id, l->claim, t + OUTBOX_LEASE, NULL, NULL) == CL_OK)
		l->renewed = t;
}

/* Record the outcome of our claim, trying again while the database is busy
 * (a lost record would send the notice again once the claim lapses). */
static ClCode record(sqlite3 *db, const OutboxNotice *n, const char *claim, SmtpOutcome how,
		     const char *reason, int64_t now, OutboxState *s, Err *e)
{
	ClCode rc = CL_OK;
	int i;

	for (i = 0; i < 4; i++) {
		if (how == SMTP_SENT) {
			*s = OB_SENT;
			rc = outbox_mark_sent(db, n->id, claim, now, e);
		} else /* a message that cannot be composed will not mend by waiting: dead */
			rc = outbox_mark_failed(db, n->id, claim, how == SMTP_PERMANENT, reason,
						now, s, e);
		if (rc != CL_EDB)
			break;
	}
	return rc;
}

/* Deliver notice id.  The notice is claimed in one short write
 * (outbox_claim: it must still be due with the same attempt count, so two
 * senders never both take it); its message (and PDF) is built, handed to
 * the server with no transaction open, and the outcome recorded in a
 * second short transaction.  OUT: *state (the new state, or -1 when it
 * was not due any more). */
static ClCode send_one(sqlite3 *db, const MailConfig *c, int64_t id, int64_t now, Date today,
		       int *state, Err *e)
{
	OutboxNotice n;
	Parts p;
	char reason[600], claim[OUTBOX_CLAIM_BUF], *msg = NULL;
	size_t len = 0;
	SmtpOutcome how = SMTP_PERMANENT;
	OutboxState s = OB_SENT;
	Lease lease = {db, id, 0, claim};
	Err pe = {0};
	int claimed = 0;
	ClCode rc;

	*state = -1;
	memset(&p, 0, sizeof p);
	rc = outbox_load(db, id, &n, e);
	if (rc || !outbox_is_due(&n, now)) {
		outbox_notice_free(&n);
		return rc == CL_ENOTFOUND ? CL_OK : rc;
	}
	lease.renewed = outbox_now();
	rc = outbox_claim(db, &n, now, lease.renewed, claim, &claimed, e);
	if (rc || !claimed)
		goto out;
	if (render_parts(db, c, &n, today, now, &p, &pe) ||
	    !(msg = compose(c, &n, &p, now, &len, &pe)))
		snprintf(reason, sizeof reason, "cannot compose: %s", pe.msg);
	else if (c->use_smtp)
		how = mail_smtp_send(&c->smtp, c->from, n.recipient, msg, len, lease_renew, &lease,
				     reason, sizeof reason);
	else
		how = write_eml(c, &n, msg, len, reason, sizeof reason);
	rc = record(db, &n, claim, how, reason, now, &s, e);
	if (rc == CL_ECONFLICT) { /* our claim lapsed and another sender took it */
		fprintf(stderr, "coopledger: notices: %s\n", e->msg);
		rc = CL_OK;
	} else if (rc == CL_OK) {
		*state = (int)s;
	}
out:
	free(msg);
	parts_free(&p);
	outbox_notice_free(&n);
	return rc;
}

static int stop_requested(void); /* the server's sender, below */

ClCode mail_send_due(sqlite3 *db, const MailConfig *c, int64_t now, Date today, MailRun *run,
		     Err *e)
{
	int64_t *ids = NULL;
	int n = 0, i, state;
	MailRun r = {0};
	ClCode rc;

	rc = outbox_due_ids(db, now, SEND_BATCH, &ids, &n, e);
	for (i = 0; rc == CL_OK && i < n && !stop_requested(); i++) {
		rc = send_one(db, c, ids[i], now, today, &state, e);
		if (state == OB_SENT)
			r.sent++;
		else if (state == OB_RETRYING)
			r.retrying++;
		else if (state == OB_DEAD)
			r.dead++;
		else
			r.skipped++;
	}
	free(ids);
	if (run)
		*run = r;
	return rc;
}

/* ---- the server's background sender ---- */

static struct {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_cond_t ended;
	int running, stop, done, interval;
	char db_path[1024], as_of[DATE_BUF + 1];
} bg = {.lock = PTHREAD_MUTEX_INITIALIZER,
	.wake = PTHREAD_COND_INITIALIZER,
	.ended = PTHREAD_COND_INITIALIZER};

/* 1 once the server is stopping: a send run in progress ends after the
 * notice it is on. */
static int stop_requested(void)
{
	int stop;

	pthread_mutex_lock(&bg.lock);
	stop = bg.stop;
	pthread_mutex_unlock(&bg.lock);
	return stop;
}

/* One queue-and-send pass with a connection of its own. */
static void background_pass(void)
{
	const char *fixed = bg.as_of[0] ? bg.as_of : getenv("COOPLEDGER_TODAY");
	sqlite3 *db = NULL;
	MailConfig c;
	MailRun r = {0};
	Date today;
	int added = 0;
	Err e = {0};

	if (mail_config_from_env(&c, &e) || date_today(fixed, &today, &e) ||
	    db_open(bg.db_path, &db, &e) || outbox_queue_due(db, today, outbox_now(), &added, &e) ||
	    mail_send_due(db, &c, outbox_now(), today, &r, &e))
		fprintf(stderr, "coopledger: notices: %s\n", e.msg);
	else if (added || r.sent || r.retrying || r.dead)
		fprintf(stderr, "coopledger: notices: %d queued, %d sent, %d to retry, %d dead\n",
			added, r.sent, r.retrying, r.dead);
	if (db)
		db_close(db);
}

static void *background_main(void *arg)
{
	struct timespec until;

	(void)arg;
	pthread_mutex_lock(&bg.lock);
	while (!bg.stop) {
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += bg.interval;
		while (!bg.stop && pthread_cond_timedwait(&bg.wake, &bg.lock, &until) != ETIMEDOUT)
			;
		if (bg.stop)
			break;
		pthread_mutex_unlock(&bg.lock);
		background_pass();
		pthread_mutex_lock(&bg.lock);
	}
	bg.done = 1;
	pthread_cond_signal(&bg.ended);
	pthread_mutex_unlock(&bg.lock);
	return NULL;
}

int outbox_start_background(const char *db_path, const char *as_of, int interval)
{
	const char *env = getenv("COOPLEDGER_OUTBOX_INTERVAL");

	if (interval < 0)
		interval = env && *env ? atoi(env) : 300;
	if (interval <= 0 || bg.running)
		return 0;
	snprintf(bg.db_path, sizeof bg.db_path, "%s", db_path);
	snprintf(bg.as_of, sizeof bg.as_of, "%s", as_of ? as_of : "");
	bg.interval = interval;
	bg.stop = 0;
	bg.done = 0;
	if (pthread_create(&bg.thread, NULL, background_main, NULL)) {
		fprintf(stderr, "coopledger: cannot start the background sender of notices\n");
		return -1;
	}
	bg.running = 1;
	return 0;
}

void outbox_request_stop(void)
{
	pthread_mutex_lock(&bg.lock);
	bg.stop = 1;
	pthread_cond_signal(&bg.wake);
	pthread_mutex_unlock(&bg.lock);
}

void outbox_stop_background(int wait_seconds)
{
	struct timespec until;
	int done;

	if (!bg.running)
		return;
	outbox_request_stop();
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += wait_seconds;
	pthread_mutex_lock(&bg.lock);
	while (!bg.done && pthread_cond_timedwait(&bg.ended, &bg.lock, &until) != ETIMEDOUT)
		;
	done = bg.done;
	pthread_mutex_unlock(&bg.lock);
	if (done) {
		pthread_join(bg.thread, NULL);
	} else { /* stuck in one SMTP conversation: its claim lapses and is retried */
		fprintf(stderr, "coopledger: notices: the sender is still talking to the SMTP "
				"server; stopping without it (that notice is retried later)\n");
		pthread_detach(bg.thread);
	}
	bg.running = 0;
}
