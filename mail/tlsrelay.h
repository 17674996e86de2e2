/*
 * tlsrelay.h — TLS from the first byte (smtps://) for libesmtp, which only
 * speaks STARTTLS (libesmtp 1.1 has no "TLS on connect" mode).
 *
 * tls_relay_open() connects to the server, completes the TLS handshake and
 * verifies the server's certificate (chain to the system's CAs, or to the
 * CAs of cafile only, and the certificate must name host), then listens on
 * a loopback port for one connection: libesmtp's.  A thread of its own
 * relays that connection's bytes through TLS until either side closes, or
 * nothing moves for idle seconds.  OpenSSL stays behind this header.
 *
 * The loopback port is open only until the first connection is accepted
 * (at most idle seconds).  Another local process that connected first
 * would get a TLS connection to the server that carries nothing of ours:
 * libesmtp's own connection is then refused and the notice is retried.
 */
#ifndef COOPLEDGER_TLSRELAY_H
#define COOPLEDGER_TLSRELAY_H

#include <stddef.h>

#include "err.h"

typedef struct TlsRelay TlsRelay;

/* Open a relay to host:port (cafile NULL or "": the system's CAs), each
 * network step waiting at most idle seconds.  Returns CL_OK with *out
 * (close with tls_relay_close()) and *local_port, or CL_EIO with what went
 * wrong: refused, unreachable, timed out, or a certificate that does not
 * verify (CL_ENOMEM when memory ran out). */
ClCode tls_relay_open(const char *host, int port, const char *cafile, long idle, TlsRelay **out,
		      int *local_port, Err *e);

/* Stop relaying, join the thread and free everything (r may be NULL). */
void tls_relay_close(TlsRelay *r);

#endif
