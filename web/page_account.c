/* page_account.c — a person's own access: asking for a password reset,
 * setting a password from an e-mailed link, and the account page where a
 * signed-in user changes their password. */
#include <stdio.h>
#include <string.h>

#include "account.h"
#include "outbox.h"
#include "pagekit.h"
#include "pages.h"
#include "render.h"
#include "signin.h"

/* text as a sentence for a page: a capital first letter and a full stop.
 * Writes into out (size n); returns out. */
static const char *sentence(const char *text, char *out, size_t n)
{
	snprintf(out, n, "%s.", text);
	if (out[0] >= 'a' && out[0] <= 'z')
		out[0] = (char)(out[0] - 'a' + 'A');
	return out;
}

int page_forgot_form(Req *r)
{
	return render_page(r, 200, "forgot", pagekit_ctx(r, "Forgot your password?"));
}

int page_forgot(Req *r)
{
	const char *email = req_field(r, "email");
	cJSON *ctx = pagekit_ctx(r, "Forgot your password?");

	if (!email || !*email || strlen(email) > SIGNIN_EMAIL_MAX) {
		cJSON_AddStringToObject(ctx, "error",
					"Enter the e-mail address you sign in with (at most 254 "
					"characters).");
		return render_page(r, 400, "forgot", ctx);
	}
	/* the same answer whether or not the address has an account, and
	 * whether or not this client or address is throttled */
	(void)account_reset_request(r->db, email, r->client, outbox_now());
	cJSON_AddBoolToObject(ctx, "sent", 1);
	return render_page(r, 200, "forgot", ctx);
}

/* The set-password page for token; msg (may be NULL) a refusal of the
 * password field ("password") or of its confirmation ("confirm"). */
static int password_page(Req *r, int status, const char *token, const char *field, const char *msg)
{
	cJSON *ctx = pagekit_ctx(r, "Choose your password");

	cJSON_AddStringToObject(ctx, "token", token ? token : "");
	if (msg) {
		cJSON_AddStringToObject(ctx, "error", msg);
		cJSON_AddBoolToObject(ctx, "password_invalid", strcmp(field, "password") == 0);
		cJSON_AddBoolToObject(ctx, "confirm_invalid", strcmp(field, "confirm") == 0);
	}
	return render_page(r, status, "password", ctx);
}

/* The page that says a link cannot be used, and why (e's message). */
static int link_refused(Req *r, const Err *e)
{
	char msg[ERR_MSG_MAX + 8];
	cJSON *ctx = pagekit_ctx(r, "Choose your password");

	cJSON_AddStringToObject(ctx, "link_error", sentence(e->msg, msg, sizeof msg));
	return render_page(r, e->code == CL_EDB ? 500 : 400, "password", ctx);
}

int page_password_form(Req *r)
{
	const char *token = req_query(r, "token");
	Err e = {0};

	if (account_link_check(r->db, token, outbox_now(), &e))
		return link_refused(r, &e);
	return password_page(r, 200, token, NULL, NULL);
}

int page_password_set(Req *r)
{
	const char *token = req_field(r, "token"), *password = req_field(r, "password"),
		   *confirm = req_field(r, "confirm");
	char msg[ERR_MSG_MAX + 8];
	Err e = {0};

	if (account_link_check(r->db, token, outbox_now(), &e))
		return link_refused(r, &e);
	if (user_check_password(password, &e)) {
		return password_page(r, 422, token, "password", sentence(e.msg, msg, sizeof msg));
	}
	if (!confirm || strcmp(password, confirm) != 0)
		return password_page(r, 422, token, "confirm",
				     "The two passwords differ: type the same password twice.");
	if (account_password_set(r->db, token, password, outbox_now(), NULL, 0, &e))
		return link_refused(r, &e);
	resp_redirect(r, "/login?done=password");
	return 0;
}

/* The account page; field (may be NULL) the change-password field that
 * msg refuses: "current", "password" or "confirm". */
static int account_page(Req *r, int status, const char *field, const char *msg)
{
	cJSON *ctx = pagekit_ctx(r, "Your account");

	if (field) {
		cJSON_AddStringToObject(ctx, "error", msg);
		cJSON_AddBoolToObject(ctx, "current_invalid", strcmp(field, "current") == 0);
		cJSON_AddBoolToObject(ctx, "password_invalid", strcmp(field, "password") == 0);
		cJSON_AddBoolToObject(ctx, "confirm_invalid", strcmp(field, "confirm") == 0);
	}
	return render_page(r, status, "account", ctx);
}

int page_account(Req *r)
{
	return account_page(r, 200, NULL, NULL);
}

int page_account_password(Req *r)
{
	const char *current = req_field(r, "current"), *password = req_field(r, "password"),
		   *confirm = req_field(r, "confirm");
	char msg[ERR_MSG_MAX + 8];
	Err e = {0};

	if (user_check_password(password, &e)) {
		return account_page(r, 422, "password", sentence(e.msg, msg, sizeof msg));
	}
	if (!confirm || strcmp(password, confirm) != 0)
		return account_page(r, 422, "confirm",
				    "The two new passwords differ: type the same password twice.");
	if (account_password_change(r->db, r->who.user_id, current, password, r->who.session_id,
				    outbox_now(), &e)) {
		return account_page(r, e.code == CL_EDB ? 500 : 422, "current",
				    sentence(e.msg, msg, sizeof msg));
	}
	return pagekit_back_ok(r, "/account",
			       "Your password is changed; your other sessions are signed out.");
}
