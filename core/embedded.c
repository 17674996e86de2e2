/* embedded.c — look-ups in the files compiled into the binary. */
#include "embedded.h"

#include <string.h>

const EmbeddedFile *embedded_find(const char *path)
{
	const EmbeddedFile *f;

	for (f = embedded_files; f->path; f++)
		if (strcmp(f->path, path) == 0)
			return f;
	return NULL;
}
