/* net.h - TCP with timeouts, GnuTLS (implicit TLS and STARTTLS),
 * certificate checks, pinning, the shared trust file, and a buffered
 * reader for lines and counted literals.
 *
 * Never prompts and never prints: failures come back as a net_status
 * plus a struct net_error the caller turns into words (see
 * app_net_error_text()).  A certificate the trust store does not know
 * comes back as NET_ERR_CERT_UNTRUSTED with its fingerprints filled in;
 * the caller asks the user and connects again with accept_once set or
 * after net_trust_add(). */
#ifndef MAILTUI_NET_H
#define MAILTUI_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

enum net_status {
	NET_OK = 0,
	NET_ERR_RESOLVE,        /* host name did not resolve */
	NET_ERR_CONNECT,        /* every address refused or unreachable */
	NET_ERR_TIMEOUT,        /* connect or read timed out */
	NET_ERR_CLOSED,         /* peer closed the connection */
	NET_ERR_IO,             /* other socket error (errno in detail) */
	NET_ERR_TLS,            /* handshake or record error (GnuTLS text in detail) */
	NET_ERR_CERT_UNTRUSTED, /* issuer not trusted; cert filled in */
	NET_ERR_CERT_EXPIRED,
	NET_ERR_CERT_NOT_ACTIVATED,
	NET_ERR_CERT_HOSTNAME,  /* certificate is not for this host name */
	NET_ERR_CERT_PIN,       /* tls_fingerprint given and not matched */
	NET_ERR_CERT_CHANGED,   /* differs from the key accepted "always" */
	NET_ERR_NO_STARTTLS,    /* server did not offer STARTTLS/STLS (set by protocol code) */
	NET_ERR_TOO_LONG,       /* line or literal over the reader's cap */
	NET_ERR_CANCELLED,      /* the cancel flag was raised */
};

enum net_tls {
	NET_TLS_NONE,     /* plaintext: only with an explicit tls = none */
	NET_TLS_IMPLICIT, /* TLS from the first byte (imaps, pop3s, smtps) */
	NET_TLS_STARTTLS, /* plaintext greeting, then net_start_tls() */
};

/* What the peer's certificate was, for messages and for the trust file. */
struct net_cert_info {
	char cert_sha256[96]; /* "AB:CD:..." SHA-256 of the DER certificate */
	char pin[64];         /* "sha256//<base64>" SHA-256 of the public key (SPKI), as curl pins */
	char subject[256];    /* distinguished name, for display after core_safe_text */
	char issuer[256];
	time_t not_before, not_after;
};

struct net_error {
	enum net_status status;
	char detail[256];          /* errno or GnuTLS text; untrusted, not translated */
	bool has_cert;
	struct net_cert_info cert; /* filled for NET_ERR_CERT_* */
};

struct net_opts {
	const char *host;        /* borrowed for the call */
	unsigned port;
	enum net_tls tls;
	int connect_timeout_ms;  /* 0: 15000 */
	int read_timeout_ms;     /* 0: 60000; per read, changeable later */
	const char *ca_file;     /* PEM trust anchors added to the system store, or NULL */
	const char *pin;         /* tls_fingerprint "sha256:<hex|base64>" of the SPKI, or NULL;
	                            when set it replaces CA trust and must match */
	const char *trust_file;  /* accepted-always store, or NULL for core_xdg_path(DATA, "trusted") */
	const char *accept_once; /* a pin ("sha256//...") the user accepted for this connection only */
	const volatile int *cancel; /* when non-NULL and *cancel != 0, I/O fails with NET_ERR_CANCELLED */
	size_t max_line;         /* reader cap for one line; 0: 1 MiB */
};

struct net_conn;

/* Resolve (IPv4 and IPv6), connect with a timeout, set TCP_NODELAY, and for
 * NET_TLS_IMPLICIT run the TLS handshake and verify.  On success *out is
 * owned by the caller (net_close).  On failure err says why. */
enum net_status net_connect(const struct net_opts *opts, struct net_conn **out,
	struct net_error *err);

/* Upgrade a plaintext connection after the protocol's STARTTLS/STLS got
 * its positive reply.  Verifies exactly as net_connect does.  Any bytes
 * buffered before the upgrade are discarded (STARTTLS injection defence). */
enum net_status net_start_tls(struct net_conn *c, struct net_error *err);

enum net_status net_write(struct net_conn *c, const void *data, size_t len,
	struct net_error *err);

/* One line without its CRLF (or LF).  *line is borrowed until the next call
 * on c; it is NUL-terminated, and *len excludes the terminator. */
enum net_status net_read_line(struct net_conn *c, const char **line, size_t *len,
	struct net_error *err);

/* Exactly n bytes (an IMAP literal, say).  Borrowed until the next call. */
enum net_status net_read_exact(struct net_conn *c, size_t n, const char **data,
	struct net_error *err);

/* Bytes already buffered and not yet returned (for pipelining decisions). */
size_t net_buffered(const struct net_conn *c);

void net_set_read_timeout(struct net_conn *c, int ms);
bool net_is_tls(const struct net_conn *c);
int net_fd(const struct net_conn *c);
/* Peer certificate of a TLS connection, or NULL.  Borrowed. */
const struct net_cert_info *net_peer_cert(const struct net_conn *c);
/* Total bytes read from the socket (after TLS), for tests and progress. */
unsigned long long net_bytes_read(const struct net_conn *c);
/* Log traffic of this connection under cat (see core_log_wire). */
void net_set_log(struct net_conn *c, int core_log_cat);
void net_close(struct net_conn *c);

/* ---- trust file ("accept always") --------------------------------------
 * One line per host and port: "host port sha256//<base64 SPKI hash>".
 * Shared by IMAP, POP3 (net_connect reads it) and SMTP (libcurl's
 * CURLOPT_PINNEDPUBLICKEY gets net_trust_lookup()'s answer). */

/* Default path: core_xdg_path(CORE_XDG_DATA, "trusted"). Owned. */
char *net_trust_default_path(void);
/* Add or replace the entry for host:port.  Atomic write.  0 or -errno. */
int net_trust_add(const char *trust_file, const char *host, unsigned port,
	const char *pin);
/* The pin stored for host:port, or NULL.  Owned. */
char *net_trust_lookup(const char *trust_file, const char *host, unsigned port);

/* Parse a tls_fingerprint value ("sha256:" then 64 hex digits, colons
 * allowed, or 44 base64 characters) into curl's "sha256//<base64>" form.
 * Returns false when malformed. out must hold 64 bytes. */
bool net_pin_normalize(const char *in, char out[64]);

void net_global_init(void);   /* gnutls_global_init once; safe to repeat */

#endif
