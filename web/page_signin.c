/* page_signin.c — the sign-in form, signing in and out, static files and home. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pagekit.h"
#include "pages.h"
#include "render.h"
#include "server.h"
#include "session.h"
#include "signin.h"

/* A safe place to go after signing in: a local path only. */
static const char *next_path(const char *next)
{
	const unsigned char *u = (const unsigned char *)next;

	/* one "/", then a printable character that is neither "/" nor "\":
	 * browsers drop tabs and newlines, so "/\t/host" would be "//host" */
	if (!next || next[0] != '/' || strlen(next) > 300)
		return "/";
	if (next[1] && (u[1] <= ' ' || u[1] == 0x7f || next[1] == '/' || next[1] == '\\'))
		return "/";
	for (; *u; u++)
		if (*u < 0x20 || *u == 0x7f)
			return "/";
	return next;
}

int page_login_form(Req *r)
{
	const char *done = req_query(r, "done");
	cJSON *ctx = pagekit_ctx(r, "Sign in");

	cJSON_AddStringToObject(ctx, "next", next_path(req_query(r, "next")));
	/* after a set-password link (page_account.c) */
	if (done && strcmp(done, "password") == 0 && !cJSON_HasObjectItem(ctx, "notice"))
		cJSON_AddStringToObject(ctx, "notice", "Your password is set: sign in with it.");
	return render_page(r, 200, "login", ctx);
}

static int login_failed(Req *r, int status, const char *msg)
{
	cJSON *ctx = pagekit_ctx(r, "Sign in");

	cJSON_AddStringToObject(ctx, "error", msg);
	cJSON_AddStringToObject(ctx, "email", req_field(r, "email") ? req_field(r, "email") : "");
	cJSON_AddStringToObject(ctx, "next", next_path(req_field(r, "next")));
	return render_page(r, status, "login", ctx);
}

int page_login(Req *r)
{
	const char *email = req_field(r, "email"), *password = req_field(r, "password");
	char secret[SESSION_SECRET_BUF], csrf[SESSION_SECRET_BUF], msg[160];
	int64_t uid;
	int status = signin_check(r, email, password, &uid, msg, sizeof msg);
	Err e = {0};

	if (status != 200)
		return login_failed(r, status, msg);
	if (session_create(r->db, uid, time(NULL), secret, csrf, &e))
		return resp_error(r, 500, "%s", e.msg);
	snprintf(r->resp.cookie, sizeof r->resp.cookie,
		 "cl_session=%s; Path=/; HttpOnly; SameSite=Lax; Max-Age=%d%s", secret,
		 (int)SESSION_ABSOLUTE_SECONDS, server_config()->secure_cookies ? "; Secure" : "");
	resp_redirect(r, next_path(req_field(r, "next")));
	return 0;
}

int page_logout(Req *r)
{
	Err e = {0};

	if (session_delete(r->db, r->session_secret, &e))
		return resp_error(r, 500, "%s", e.msg);
	resp_redirect(r, "/login");
	snprintf(r->resp.cookie, sizeof r->resp.cookie,
		 "cl_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
	return 0;
}

int page_static(Req *r)
{
	const char *type;
	size_t len;
	const char *data = render_static(r->param[0], &len, &type);
	char *copy;

	if (!data)
		return resp_error(r, 404, "there is no such file");
	copy = malloc(len + 1);
	if (!copy)
		return resp_error(r, 500, "out of memory");
	memcpy(copy, data, len);
	copy[len] = '\0';
	resp_text(r, 200, type, copy, NULL);
	r->resp.len = len;
	r->resp.cache = "public, max-age=3600";
	return 0;
}

int page_favicon(Req *r)
{
	free(r->param[0]);
	r->param[0] = strdup("favicon.svg");
	r->nparam = 1;
	return page_static(r);
}

int page_home(Req *r)
{
	if (r->who.role == ROLE_MEMBER)
		return page_member_portal(r);
	if (r->who.role == ROLE_VENDOR)
		return page_vendor_portal(r);
	return page_dashboard(r);
}
