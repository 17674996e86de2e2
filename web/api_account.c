/* api_account.c — the JSON API's invitations and password links
 * (DOMAIN.md section 6): POST /api/v1/users, /api/v1/password-resets and
 * /api/v1/password.  The same core calls as the pages (account.h). */
#include <string.h>

#include "account.h"
#include "handlers.h"
#include "outbox.h"
#include "signin.h"
#include "text.h"

/* The HTTP status of a refusal: a field naming a record that is not
 * there is a bad request, not a missing resource. */
static int status_of(ClCode code)
{
	return code == CL_ECONFLICT ? 409 : code == CL_EDB ? 500 : code == CL_ENOMEM ? 413 : 400;
}

/* The invited user as the API answers it. */
static cJSON *invited(const char *email, Role role, const char *agency, const char *vendor)
{
	cJSON *out = cJSON_CreateObject();

	cJSON_AddStringToObject(out, "email", email);
	cJSON_AddStringToObject(out, "role", role_name(role));
	if (role == ROLE_MEMBER)
		cJSON_AddStringToObject(out, "agency", agency);
	if (role == ROLE_VENDOR)
		cJSON_AddStringToObject(out, "vendor", vendor);
	cJSON_AddStringToObject(out, "state", "invited");
	cJSON_AddBoolToObject(out, "invitation_queued", 1);
	return out;
}

int api_user_invite(Req *r)
{
	const char *email, *rolename, *agency, *vendor;
	char actor[300];
	cJSON *o = api_body_or_400(r), *out;
	Role role = ROLE_ADMIN;
	Err e = {0};

	if (!o)
		return 0;
	email = api_str(o, "email");
	rolename = api_str(o, "role");
	agency = api_str(o, "agency");
	vendor = api_str(o, "vendor");
	if (!email || !rolename)
		err_set(&e, CL_EINPUT,
			"give \"email\" and \"role\" as strings, and \"agency\" for a member or "
			"\"vendor\" for a vendor user");
	else if (!role_parse(rolename, &role, &e))
		(void)!account_invite(r->db, email, role, agency, vendor,
				      req_actor(r, actor, sizeof actor), outbox_now(), NULL, &e);
	out = e.code ? NULL : invited(email, role, agency, vendor);
	cJSON_Delete(o);
	if (!out)
		return resp_error(r, status_of(e.code), "%s", e.msg);
	return resp_json(r, 201, out);
}

int api_password_reset(Req *r)
{
	const char *email;
	cJSON *o = api_body_or_400(r), *out;

	if (!o)
		return 0;
	email = api_str(o, "email");
	if (!email || !*email || strlen(email) > SIGNIN_EMAIL_MAX) {
		cJSON_Delete(o);
		return resp_error(r, 400, "give \"email\" as a string of at most %d characters",
				  SIGNIN_EMAIL_MAX);
	}
	/* the same answer whether or not the address has an account, and
	 * whether or not this client or address is throttled */
	(void)account_reset_request(r->db, email, r->client, outbox_now());
	cJSON_Delete(o);
	out = cJSON_CreateObject();
	cJSON_AddStringToObject(out, "status",
				"if an account uses this address, an e-mail with a link to set a "
				"new password is on its way");
	return resp_json(r, 202, out);
}

int api_password_set(Req *r)
{
	const char *token, *password;
	char email[256];
	cJSON *o = api_body_or_400(r), *out;
	Err e = {0};

	if (!o)
		return 0;
	token = api_str(o, "token");
	password = api_str(o, "password");
	if (!token || !password)
		err_set(&e, CL_EINPUT,
			"give \"token\" (from the e-mailed link) and \"password\" as strings");
	else
		(void)!account_password_set(r->db, token, password, outbox_now(), email,
					    sizeof email, &e);
	cJSON_Delete(o);
	if (e.code)
		return resp_error(r, status_of(e.code), "%s", e.msg);
	out = cJSON_CreateObject();
	cJSON_AddStringToObject(out, "email", email);
	cJSON_AddStringToObject(out, "status", "password set; sign in with it");
	return resp_json(r, 200, out);
}
