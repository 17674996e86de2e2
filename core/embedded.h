/*
 * embedded.h — files compiled into the binary by tools/embed.sh
 * (migrations, demo data, later templates and assets).
 */
#ifndef COOPLEDGER_EMBEDDED_H
#define COOPLEDGER_EMBEDDED_H

#include <stddef.h>

typedef struct EmbeddedFile {
	const char *path; /* as given to embed.sh, e.g. "migrations/0001_init.sql" */
	const char *data; /* NUL-terminated */
	size_t size;
} EmbeddedFile;

extern const EmbeddedFile embedded_files[]; /* ends with a NULL path */

/* The embedded file at path, or NULL. */
const EmbeddedFile *embedded_find(const char *path);

#endif
