/*
 * render.h — pages from Mustache templates (templates/, compiled in, or
 * read from --templates DIR while developing).
 */
#ifndef COOPLEDGER_RENDER_H
#define COOPLEDGER_RENDER_H

#include <cjson/cJSON.h>

#include "http.h"

/* Render templates/<page>.mustache with ctx (taken over) plus "me",
 * "csrf", "today" and navigation flags, as the response. */
int render_page(Req *r, int status, const char *page, cJSON *ctx);

/* An error page (HTML) with msg. */
int render_error(Req *r, int status, const char *msg);

/* Add "<list>_any": true beside every non-empty list of o, recursively.
 * (Money comes with its page forms from the encoder: web/encode.h.) */
void render_flag_lists(cJSON *o);

/* A compiled-in static file: its bytes and type, or NULL. */
const char *render_static(const char *name, size_t *len, const char **type);

#endif
