/*
 * mustache.h — Mustache templates rendered from cJSON values.
 *
 * Follows the official Mustache spec (tests/data/mustache-spec/): variables,
 * sections, inverted sections, comments, partials, set delimiters and the
 * optional inheritance module (parents and blocks, used for page layouts).
 * Lambdas and dynamic names are not supported.
 *
 * {{name}} escapes & < > " ' for HTML; {{{name}}} and {{&name}} are the raw
 * exceptions.  Falsey values are false, null, a missing name and the empty
 * array; everything else (0 and "" included) is truthy.
 *
 * No global state: any number of threads may render at once, provided the
 * cJSON data and the partial callback are safe to read concurrently.
 */
#ifndef COOPLEDGER_MUSTACHE_H
#define COOPLEDGER_MUSTACHE_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "err.h"

/* Return the template text of the partial (or parent) called name and its
 * length in *len, or NULL when there is none (it renders as empty).  The
 * text must stay valid until mustache_render() returns. */
typedef const char *(*MustachePartialFn)(void *ctx, const char *name, size_t *len);

typedef struct MustacheOptions {
	MustachePartialFn partial; /* NULL: every partial is empty */
	void *partial_ctx;	   /* passed to partial */
	size_t max_output;	   /* most bytes of output; 0: 16 MiB */
	int max_depth;		   /* most nested partials, parents, blocks and
				      sections; 0: 64 */
} MustacheOptions;

/*
 * Render tmpl (len bytes, need not be NUL-terminated) with data (NULL: no
 * data).  opt may be NULL for the defaults.
 *
 * Returns a NUL-terminated string that the caller frees with free(), or
 * NULL with e set (e may be NULL): CL_EINPUT for an unclosed tag
 * or section, mismatched section end, bad delimiter change, output over
 * max_output, nesting over max_depth (a partial that includes itself);
 * CL_ENOMEM when memory ran out.
 */
char *mustache_render(const char *tmpl, size_t len, const cJSON *data, const MustacheOptions *opt,
		      Err *e);

#endif
