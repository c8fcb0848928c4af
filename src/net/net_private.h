/* net_private.h - what the files of src/net/ share.  Nothing outside
 * src/net/ includes this. */
#ifndef MAILTUI_NET_PRIVATE_H
#define MAILTUI_NET_PRIVATE_H

#include <stdarg.h>
#include <stdint.h>

#include <gnutls/gnutls.h>

#include "net/net.h"

#define NET_DEFAULT_CONNECT_MS 15000
#define NET_DEFAULT_READ_MS 60000
#define NET_DEFAULT_MAX_LINE ((size_t)1 << 20)
#define NET_DEFAULT_MAX_LITERAL ((size_t)256 << 20)
/* Poll in slices this long so a raised cancel flag is seen quickly. */
#define NET_POLL_SLICE_MS 200

struct net_conn {
	int fd;
	char *host; /* owned: for SNI and verification at STARTTLS time */
	unsigned port;
	char *ca_file;     /* owned or NULL */
	char *pin;         /* owned, normalised "sha256//..." or NULL */
	char *trust_file;  /* owned or NULL (default path) */
	char *accept_once; /* owned, normalised or NULL */
	const volatile int *cancel;
	int connect_timeout_ms;
	int read_timeout_ms;
	size_t max_line;
	size_t max_literal;

	gnutls_session_t session; /* NULL while plaintext */
	gnutls_certificate_credentials_t cred;
	bool has_cert;
	struct net_cert_info cert;

	/* Reader: bytes [rpos, wpos) of buf are buffered and unreturned.
	 * buf[wpos] is always writable so a result can be NUL-terminated;
	 * when a counted read ends before wpos the byte it overwrote with
	 * NUL is kept in saved and put back by the next call. */
	char *buf;
	size_t cap, rpos, wpos;
	bool saved_valid;
	size_t saved_pos;
	char saved;
	unsigned long long bytes_read;

	bool log;
	int log_cat;
	/* Set when a TLS upgrade failed: no byte may go out in plaintext
	 * after that, whatever the caller does next. */
	bool dead;
};

/* errors.c */
enum net_status net_fail(struct net_error *err, enum net_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
enum net_status net_fail_errno(struct net_error *err, enum net_status st, const char *what,
                               int errnum);

/* wait.c: monotonic milliseconds, and waiting for the socket. */
int64_t net_now_ms(void);
/* Wait until fd is ready for events (POLLIN/POLLOUT) or deadline_ms
 * passes, polling in slices and checking cancel around each poll. */
enum net_status net_wait_fd(int fd, short events, int64_t deadline_ms, const volatile int *cancel,
                            struct net_error *err);

/* tcp.c */
enum net_status net_tcp_connect(const char *host, unsigned port, int timeout_ms,
                                const volatile int *cancel, int *fd_out, struct net_error *err);

/* tls.c */
enum net_status net_tls_handshake(struct net_conn *c, struct net_error *err);
void net_tls_free(struct net_conn *c);

/* verify.c: fill info from the peer certificate, then decide. */
enum net_status net_verify_peer(struct net_conn *c, struct net_error *err);
bool net_host_is_ip(const char *host);

/* io.c */
void net_reader_discard(struct net_conn *c);
/* conn.c: refuse all further I/O on c (see struct net_conn.dead). */
void net_conn_kill(struct net_conn *c);

#endif
