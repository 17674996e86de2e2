/* tlsrelay.c — TLS from the first byte for libesmtp; see tlsrelay.h.
 * The only file of the project that includes OpenSSL's headers. */
#include "tlsrelay.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#define RELAY_BUF 16384

struct TlsRelay {
	SSL_CTX *ctx;
	SSL *ssl;
	int up;	      /* the server's socket (non-blocking, under ssl) */
	int listener; /* loopback, until libesmtp connects */
	int wake[2];  /* tls_relay_close() writes to wake[1] */
	long idle_ms;
	pthread_t thread;
	int started;
};

/* The last OpenSSL error (or what) into reason. */
static void ssl_reason(const char *what, char *reason, size_t n)
{
	unsigned long err = ERR_get_error();
	char buf[256];

	if (err) {
		ERR_error_string_n(err, buf, sizeof buf);
		snprintf(reason, n, "%s: %s", what, buf);
	} else {
		snprintf(reason, n, "%s", what);
	}
	ERR_clear_error();
}

/* Wait until fd is readable (events POLLIN) or writable; 1 ready, 0 timed
 * out, -1 error. */
static int wait_fd(int fd, short events, long ms)
{
	struct pollfd p = {fd, events, 0};
	int r;

	while ((r = poll(&p, 1, (int)ms)) < 0 && errno == EINTR)
		;
	return r < 0 ? -1 : r > 0;
}

/* A non-blocking TCP connection to host:port, trying each address.
 * Returns the socket or -1 with reason. */
static int tcp_connect(const char *host, int port, long ms, char *reason, size_t n)
{
	struct addrinfo hints, *res = NULL, *a;
	char serv[16];
	int fd = -1, err, gai;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	snprintf(serv, sizeof serv, "%d", port);
	gai = getaddrinfo(host, serv, &hints, &res);
	if (gai) {
		snprintf(reason, n, "cannot resolve %.255s: %s", host, gai_strerror(gai));
		return -1;
	}
	snprintf(reason, n, "cannot connect to %.255s:%d", host, port);
	for (a = res; a; a = a->ai_next) {
		socklen_t len = sizeof err;

		fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
			    a->ai_protocol);
		if (fd < 0)
			continue;
		if (connect(fd, a->ai_addr, a->ai_addrlen) == 0)
			break;
		err = errno;
		if (err == EINPROGRESS) {
			int w = wait_fd(fd, POLLOUT, ms);

			err = ETIMEDOUT;
			if (w > 0 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 &&
			    err == 0)
				break;
		}
		snprintf(reason, n, "cannot connect to %.255s:%d: %s", host, port, strerror(err));
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}

/* Run SSL_connect on the non-blocking socket; 0 or -1 with reason. */
static int handshake(TlsRelay *r, const char *host, int port, char *reason, size_t n)
{
	for (;;) {
		int k = SSL_connect(r->ssl), err = SSL_get_error(r->ssl, k), w;

		if (k == 1)
			return 0;
		if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) {
			long v = SSL_get_verify_result(r->ssl);
			char what[400];

			if (v != X509_V_OK)
				snprintf(what, sizeof what,
					 "TLS with %.255s:%d: the server's certificate does not "
					 "verify: %s",
					 host, port, X509_verify_cert_error_string(v));
			else
				snprintf(what, sizeof what, "TLS handshake with %.255s:%d failed",
					 host, port);
			ssl_reason(what, reason, n);
			return -1;
		}
		w = wait_fd(r->up, err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, r->idle_ms);
		if (w <= 0) {
			snprintf(reason, n, "TLS handshake with %.255s:%d timed out", host, port);
			return -1;
		}
	}
}

/* A verifying client context: the system's CAs, or cafile's only. */
static int make_ctx(TlsRelay *r, const char *cafile, char *reason, size_t n)
{
	r->ctx = SSL_CTX_new(TLS_client_method());
	if (!r->ctx) {
		ssl_reason("cannot create a TLS context", reason, n);
		return -1;
	}
	SSL_CTX_set_min_proto_version(r->ctx, TLS1_2_VERSION);
	SSL_CTX_set_verify(r->ctx, SSL_VERIFY_PEER, NULL);
	if (cafile && *cafile ? SSL_CTX_load_verify_locations(r->ctx, cafile, NULL) != 1
			      : SSL_CTX_set_default_verify_paths(r->ctx) != 1) {
		char what[1100];

		snprintf(what, sizeof what, "cannot load the CA certificates %.1024s",
			 cafile && *cafile ? cafile : "(system default)");
		ssl_reason(what, reason, n);
		return -1;
	}
	return 0;
}

/* The TLS connection to host:port, its name (or address) checked. */
static int tls_connect(TlsRelay *r, const char *host, int port, const char *cafile, char *reason,
		       size_t n)
{
	unsigned char ip[16];
	int is_ip = inet_pton(AF_INET, host, ip) == 1 || inet_pton(AF_INET6, host, ip) == 1;

	if (make_ctx(r, cafile, reason, n))
		return -1;
	r->up = tcp_connect(host, port, r->idle_ms, reason, n);
	if (r->up < 0)
		return -1;
	r->ssl = SSL_new(r->ctx);
	if (!r->ssl || !SSL_set_fd(r->ssl, r->up)) {
		ssl_reason("cannot start TLS", reason, n);
		return -1;
	}
	if (is_ip ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(r->ssl), host) != 1
		  : SSL_set1_host(r->ssl, host) != 1 ||
			    SSL_set_tlsext_host_name(r->ssl, host) != 1) {
		ssl_reason("cannot set the TLS peer name", reason, n);
		return -1;
	}
	return handshake(r, host, port, reason, n);
}

/* A loopback listener on a free port.  OUT: *port. */
static int listen_loopback(int *port, char *reason, size_t n)
{
	struct sockaddr_in a;
	socklen_t len = sizeof a;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) || listen(fd, 1) ||
	    getsockname(fd, (struct sockaddr *)&a, &len)) {
		snprintf(reason, n, "cannot listen on the loopback for the TLS relay: %s",
			 strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	*port = ntohs(a.sin_port);
	return fd;
}

/* Write all n bytes of buf to the plain socket fd; 0 or -1. */
static int plain_write_all(int fd, const char *buf, size_t n, long ms)
{
	while (n > 0) {
		ssize_t k = send(fd, buf, n, MSG_NOSIGNAL);

		if (k > 0) {
			buf += k;
			n -= (size_t)k;
		} else if (k < 0 && (errno == EAGAIN || errno == EINTR)) {
			if (errno == EAGAIN && wait_fd(fd, POLLOUT, ms) <= 0)
				return -1;
		} else {
			return -1;
		}
	}
	return 0;
}

/* Write all n bytes through TLS; 0 or -1. */
static int tls_write_all(TlsRelay *r, const char *buf, int n)
{
	for (;;) {
		int k = SSL_write(r->ssl, buf, n), err;

		if (k > 0)
			return 0; /* SSL_write writes everything unless partial writes are on */
		err = SSL_get_error(r->ssl, k);
		if ((err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) ||
		    wait_fd(r->up, err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, r->idle_ms) <= 0)
			return -1;
	}
}

/* Move what TLS has for us to the local socket.  0 on success, -1 when
 * the server closed or failed. */
static int drain_tls(TlsRelay *r, int local, char *buf)
{
	for (;;) {
		int k = SSL_read(r->ssl, buf, RELAY_BUF), err;

		if (k > 0) {
			if (plain_write_all(local, buf, (size_t)k, r->idle_ms))
				return -1;
			continue;
		}
		err = SSL_get_error(r->ssl, k);
		return err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE ? 0 : -1;
	}
}

/* Relay between libesmtp's connection and the server until one closes. */
static void relay(TlsRelay *r, int local)
{
	char *buf = malloc(RELAY_BUF);

	while (buf) {
		struct pollfd p[3] = {
			{local, POLLIN, 0}, {r->up, POLLIN, 0}, {r->wake[0], POLLIN, 0}};
		int k;

		if (SSL_pending(r->ssl) > 0 && drain_tls(r, local, buf))
			break;
		k = poll(p, 3, (int)r->idle_ms);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0 || p[2].revents)
			break; /* idle too long, an error, or tls_relay_close() */
		if (p[0].revents) {
			ssize_t got = recv(local, buf, RELAY_BUF, 0);

			if (got <= 0 || tls_write_all(r, buf, (int)got))
				break;
		}
		if (p[1].revents && drain_tls(r, local, buf))
			break;
	}
	free(buf);
}

static void *relay_main(void *arg)
{
	TlsRelay *r = arg;
	struct pollfd p[2] = {{r->listener, POLLIN, 0}, {r->wake[0], POLLIN, 0}};
	int local = -1, k;

	while ((k = poll(p, 2, (int)r->idle_ms)) < 0 && errno == EINTR)
		;
	if (k > 0 && p[0].revents && !p[1].revents)
		local = accept(r->listener, NULL, NULL);
	close(r->listener);
	r->listener = -1;
	if (local >= 0) {
		fcntl(local, F_SETFL, fcntl(local, F_GETFL) | O_NONBLOCK);
		relay(r, local);
		shutdown(local, SHUT_RDWR);
		close(local);
	}
	SSL_shutdown(r->ssl); /* a close_notify, without waiting for the answer */
	return NULL;
}

ClCode tls_relay_open(const char *host, int port, const char *cafile, long idle, TlsRelay **out,
		      int *local_port, Err *e)
{
	TlsRelay *r = calloc(1, sizeof *r);
	char reason[300] = "";

	*out = NULL;
	if (!r)
		return err_set(e, CL_ENOMEM, "out of memory");
	r->up = r->listener = r->wake[0] = r->wake[1] = -1;
	r->idle_ms = (idle > 0 ? idle : 60) * 1000;
	if (tls_connect(r, host, port, cafile, reason, sizeof reason) ||
	    (r->listener = listen_loopback(local_port, reason, sizeof reason)) < 0)
		goto fail;
	if (pipe(r->wake)) {
		snprintf(reason, sizeof reason, "cannot start the TLS relay: %s", strerror(errno));
		goto fail;
	}
	if (pthread_create(&r->thread, NULL, relay_main, r)) {
		snprintf(reason, sizeof reason, "cannot start the TLS relay thread");
		goto fail;
	}
	r->started = 1;
	*out = r;
	return CL_OK;
fail:
	tls_relay_close(r);
	return err_set(e, CL_EIO, "%s", reason);
}

void tls_relay_close(TlsRelay *r)
{
	if (!r)
		return;
	if (r->started) {
		if (write(r->wake[1], "x", 1) < 0) { /* the thread also stops on its idle timer */
		}
		pthread_join(r->thread, NULL);
	}
	if (r->listener >= 0)
		close(r->listener);
	if (r->wake[0] >= 0)
		close(r->wake[0]);
	if (r->wake[1] >= 0)
		close(r->wake[1]);
	SSL_free(r->ssl);
	if (r->up >= 0)
		close(r->up);
	SSL_CTX_free(r->ctx);
	free(r);
}
