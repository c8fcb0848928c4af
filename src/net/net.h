/* net.h - TCP with timeouts, GnuTLS (implicit TLS and STARTTLS),
 * certificate checks, pinning, the shared trust file, and a buffered
 * reader for lines and counted literals.
 *
 * Never prompts and never prints: failures come back as a net_status
 * plus a struct net_error the caller turns into words (see
 * app_net_error_text()).  A certificate the trust store does not know
 * comes back as NET_ERR_CERT_UNTRUSTED with its fingerprints filled in;
 * the caller asks the user and connects again with accept_once set or
 * after net_trust_add().
 *
 * How a certificate is judged, in order:
 *  1. opts->pin set: the SPKI hash must equal it (NET_ERR_CERT_PIN
 *     otherwise); CA trust, dates and host name are not consulted.
 *  2. GnuTLS verification (system store + ca_file, host name checked,
 *     also for IP literals) passes: accepted.  The trust file is not read.
 *  3. opts->accept_once equals the key's pin, or the trust file has this
 *     pin for host:port: accepted, whatever the CA, date or name problem
 *     was, since the user saw this key for this host:port and took it.
 *  4. The trust file has a different pin for host:port: NET_ERR_CERT_CHANGED.
 *  5. Otherwise the most specific problem: NET_ERR_CERT_EXPIRED,
 *     NET_ERR_CERT_NOT_ACTIVATED, NET_ERR_CERT_HOSTNAME (all meant as hard
 *     errors: do not offer "accept"), else NET_ERR_CERT_UNTRUSTED.
 * Every NET_ERR_CERT_* comes with err->has_cert and the fingerprints.
 *
 * A connection is used by one thread at a time.  Functions taking a
 * struct net_error accept NULL; err is only meaningful when the
 * return value is not NET_OK. */
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
	const volatile int *cancel; /* when non-NULL and *cancel != 0, I/O fails with NET_ERR_CANCELLED
	                               (seen within about 200 ms; name resolution is not cancellable) */
	size_t max_line;         /* reader cap for one line; 0: 1 MiB */
	size_t max_literal;      /* cap for net_read_exact; 0: 256 MiB */
};

struct net_conn;

/* Resolve (IPv4 and IPv6), connect with a timeout, set TCP_NODELAY, and for
 * NET_TLS_IMPLICIT run the TLS handshake and verify.  On success *out is
 * owned by the caller (net_close).  On failure err says why.
 * connect_timeout_ms covers all addresses: each gets an equal share of
 * what is left.  NET_ERR_TIMEOUT only when every address timed out.
 * The TLS handshake has its own connect_timeout_ms.  A malformed
 * opts->pin fails with NET_ERR_CERT_PIN before connecting. */
enum net_status net_connect(const struct net_opts *opts, struct net_conn **out,
	struct net_error *err);

/* Wrap an already connected stream socket (a socketpair in tests, a
 * tunnel).  Same opts as net_connect except tls (use net_start_tls) and
 * connect_timeout_ms (used for a later handshake).  The fd is made
 * non-blocking.  On success it belongs to *out (net_close closes it);
 * on failure (a malformed pin) it stays the caller's. */
enum net_status net_adopt_fd(int fd, const struct net_opts *opts, struct net_conn **out,
	struct net_error *err);

/* Upgrade a plaintext connection after the protocol's STARTTLS/STLS got
 * its positive reply.  Verifies exactly as net_connect does.  Any bytes
 * buffered before the upgrade are discarded (STARTTLS injection defence).
 * On failure the connection is shut down and refuses all further reads
 * and writes (NET_ERR_TLS), so nothing can follow in plaintext: close it. */
enum net_status net_start_tls(struct net_conn *c, struct net_error *err);

/* STARTTLS negotiation for the line protocols, so that IMAP and POP3 share
 * one place where "not offered" stops everything.  Call after reading the
 * greeting (for IMAP, a PREAUTH greeting must be refused by the caller
 * before this: RFC 3501 allows no STARTTLS then).
 *   IMAP: "S1 CAPABILITY", untagged lines until "S1 OK"; the STARTTLS atom
 *         must be there (whole word, any case); "S2 STARTTLS", "S2 OK".
 *   POP3: "CAPA", the list up to "."; STLS must be there; "STLS", "+OK".
 * then net_start_tls().  Not offered, or any negative or unexpected reply:
 * NET_ERR_NO_STARTTLS with the capability line (or the reply) in detail,
 * and nothing more is sent: on any failure the connection is shut down
 * and refuses further I/O, as after a failed net_start_tls.  Tags S1 and S2 are used: start the caller's
 * tags elsewhere.  Capabilities seen before TLS are not to be trusted:
 * the caller must ask CAPABILITY/CAPA again over TLS. */
enum net_starttls_proto { NET_STARTTLS_IMAP, NET_STARTTLS_POP3 };
enum net_status net_starttls(struct net_conn *c, enum net_starttls_proto p,
	struct net_error *err);

/* Write all of data (looping over partial writes), waiting at most
 * read_timeout_ms for progress.  Logged when net_set_log is on. */
enum net_status net_write(struct net_conn *c, const void *data, size_t len,
	struct net_error *err);
/* The same, but logged redacted (only the command word): LOGIN, PASS,
 * AUTHENTICATE payloads. */
enum net_status net_write_sensitive(struct net_conn *c, const void *data, size_t len,
	struct net_error *err);

/* One line without its CRLF (or LF).  *line is borrowed until the next call
 * on c; it is NUL-terminated, and *len excludes the terminator.  Each
 * wait for more bytes may take read_timeout_ms.  A line longer than
 * max_line gives NET_ERR_TOO_LONG; the stream is then out of step:
 * close the connection. */
enum net_status net_read_line(struct net_conn *c, const char **line, size_t *len,
	struct net_error *err);

/* Exactly n bytes (an IMAP literal, say).  Borrowed until the next call,
 * NUL-terminated after the n bytes.  n over max_literal: NET_ERR_TOO_LONG. */
enum net_status net_read_exact(struct net_conn *c, size_t n, const char **data,
	struct net_error *err);

/* Bytes already buffered and not yet returned (for pipelining decisions). */
size_t net_buffered(const struct net_conn *c);

void net_set_read_timeout(struct net_conn *c, int ms);
bool net_is_tls(const struct net_conn *c);
int net_fd(const struct net_conn *c);
/* Peer certificate of a TLS connection, or NULL.  Borrowed. */
const struct net_cert_info *net_peer_cert(const struct net_conn *c);
/* Total bytes received (after TLS decryption), buffered or returned, for
 * tests and progress. */
unsigned long long net_bytes_read(const struct net_conn *c);
/* Log traffic of this connection under cat (an enum core_log_cat) through
 * core_log_wire; a negative cat turns logging off. */
void net_set_log(struct net_conn *c, int core_log_cat);
/* Sends close_notify if it can without waiting, closes, frees.  NULL is fine. */
void net_close(struct net_conn *c);

/* ---- trust file ("accept always") --------------------------------------
 * One line per host and port: "host port sha256//<base64 SPKI hash>".
 * Shared by IMAP, POP3 (net_connect reads it) and SMTP (libcurl's
 * CURLOPT_PINNEDPUBLICKEY gets net_trust_lookup()'s answer). */

/* Default path: core_xdg_path(CORE_XDG_DATA, "trusted"). Owned (g_free). */
char *net_trust_default_path(void);
/* Add or replace the entry for host:port (host compared without case;
 * pin in any form net_pin_normalize takes, stored normalised).  Other
 * lines are kept.  The directory is created (0700), the file written
 * atomically with mode 0600.  trust_file NULL: the default path.
 * 0, -EINVAL for a bad host/port/pin, or -errno. */
int net_trust_add(const char *trust_file, const char *host, unsigned port,
	const char *pin);
/* The pin stored for host:port in "sha256//<base64>" form, or NULL (no
 * entry, unreadable file).  trust_file NULL: the default path.  Owned
 * (g_free); pass it to CURLOPT_PINNEDPUBLICKEY as is. */
char *net_trust_lookup(const char *trust_file, const char *host, unsigned port);

/* Parse a tls_fingerprint value ("sha256:" then 64 hex digits, colons
 * allowed, or 44 base64 characters; the "sha256:" may be left out, and
 * curl's "sha256//<base64>" is taken as is) into curl's "sha256//<base64>"
 * form.  Returns false when malformed. out must hold 64 bytes. */
bool net_pin_normalize(const char *in, char out[64]);

void net_global_init(void);   /* gnutls_global_init once; safe to repeat */

#endif
