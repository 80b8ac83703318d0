#ifndef COPENSSL_H
#define COPENSSL_H
/* OpenSSL (libssl-dev) for TLS on client and backend connections. The shard's ring does the
   socket I/O; OpenSSL only sees memory BIOs. Macros Swift cannot import become inline functions. */
#include <features.h>
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/bio.h>
#include <openssl/buffer.h>
#include <openssl/x509v3.h>
#include <openssl/rand.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>

/* SSL_OP_* are built with a cast and a shift, which Swift does not import. */
static const uint64_t COPENSSL_OP_NO_RENEGOTIATION = SSL_OP_NO_RENEGOTIATION;
static const uint64_t COPENSSL_OP_NO_COMPRESSION = SSL_OP_NO_COMPRESSION;

static inline int copenssl_ctx_set_protocol_range(SSL_CTX *ctx, int min, int max) {
    if (SSL_CTX_set_min_proto_version(ctx, min) != 1) return 0;
    return (int)SSL_CTX_set_max_proto_version(ctx, max);
}

static inline long copenssl_ctx_set_mode(SSL_CTX *ctx, long mode) {
    return SSL_CTX_set_mode(ctx, mode);
}

static inline long copenssl_ctx_set_session_cache_mode(SSL_CTX *ctx, long mode) {
    return SSL_CTX_set_session_cache_mode(ctx, mode);
}

/* Session ticket keys shared by many contexts (and threads), rotated every `interval_nanos`:
   tickets are sealed with the current key and opened with it or the one before. Reference
   counted: each context using them holds one, `new` returns the caller's. */
typedef struct copenssl_ticket_keys copenssl_ticket_keys;
copenssl_ticket_keys *copenssl_ticket_keys_new(int64_t interval_nanos);
void copenssl_ticket_keys_release(copenssl_ticket_keys *keys);
/* A new current key now; the current one becomes the previous one. */
void copenssl_ticket_keys_rotate(copenssl_ticket_keys *keys);
/* Seals and opens the context's tickets with `keys`. 1 on success. */
int copenssl_ctx_use_ticket_keys(SSL_CTX *ctx, copenssl_ticket_keys *keys);

static inline int copenssl_ctx_set_groups(SSL_CTX *ctx, const char *groups) {
    return (int)SSL_CTX_set1_groups_list(ctx, groups);
}

static inline void copenssl_ctx_set_servername_callback(SSL_CTX *ctx, int (*callback)(SSL *, int *, void *), void *arg) {
    SSL_CTX_set_tlsext_servername_callback(ctx, callback);
    SSL_CTX_set_tlsext_servername_arg(ctx, arg);
}

static inline int copenssl_set_host_name(SSL *ssl, const char *name) {
    return (int)SSL_set_tlsext_host_name(ssl, name);
}

/* What a session's BIO reads and where it writes, for the duration of one TLSStream call:
   ciphertext comes from `input` (advanced as OpenSSL takes it), and every write is handed to
   `sink` at once, so nothing is buffered between OpenSSL and the shard's queues. */
typedef struct copenssl_pipe {
    const unsigned char *input;
    size_t input_left;
    void (*sink)(void *context, const unsigned char *bytes, size_t count);
    void *sink_context;
} copenssl_pipe;

/* Makes `pipe` this thread's current one (NULL: none); returns the previous one. */
copenssl_pipe *copenssl_pipe_swap(copenssl_pipe *pipe);

/* Gives `ssl` one BIO, both ways, that uses the thread's current pipe. 0 on failure. */
int copenssl_set_pipe_bio(SSL *ssl);

/* The server's ALPN choice: http/1.1 when the client offers it, else no ALPN at all. */
void copenssl_ctx_select_http1_alpn(SSL_CTX *ctx);

/* A client's ALPN offer of http/1.1 only. */
int copenssl_ctx_offer_http1_alpn(SSL_CTX *ctx);

/* The handover of a server session to pushpind's own record layer (TLSRecordLayer). While
   the handshake runs, a TLS 1.3 session's traffic secrets are caught from the key log, and
   records are counted (TLS 1.3: those OpenSSL seals under the server's application key, i.e.
   session tickets; TLS 1.2: those each way since that side's ChangeCipherSpec), so the record
   layer can carry on from exactly where OpenSSL stopped. */
typedef struct copenssl_handover {
    unsigned char client_secret[EVP_MAX_MD_SIZE];
    unsigned char server_secret[EVP_MAX_MD_SIZE];
    size_t client_secret_length;
    size_t server_secret_length;
    /* Records written since the server's application secret was made. */
    uint64_t server_records;
    /* TLS 1.2: records read and written under the current keys (each side's Finished). */
    uint64_t read_records_after_ccs;
    uint64_t written_records_after_ccs;
} copenssl_handover;

/* The context logs keys to the session's handover state, if it has one. */
void copenssl_ctx_log_traffic_secrets(SSL_CTX *ctx);
/* Gives `ssl` handover state (freed with it) and counts the records it writes. 1 on success. */
int copenssl_track_handover(SSL *ssl);
/* Copies the state out, stops tracking and frees it. 0 when the session had none. */
int copenssl_take_handover(SSL *ssl, copenssl_handover *out);

/* HKDF-Expand-Label (RFC 8446 7.1) with an empty context. `digest` is "SHA256" or "SHA384". */
int copenssl_hkdf_expand_label(const char *digest, const unsigned char *secret, size_t secret_length,
                               const char *label, unsigned char *out, size_t out_length);

/* TLS 1.2's key block (RFC 5246 6.3) of a session whose handshake is done: `out_length` bytes
   of PRF(master secret, "key expansion", server random + client random) with `digest`
   ("SHA256" or "SHA384"). The master secret is copied out of the session and wiped. 1 on
   success. */
int copenssl_tls12_key_block(const SSL *ssl, const char *digest, unsigned char *out, size_t out_length);

/* The record AEADs, numbered for copenssl_aead_new. */
enum { COPENSSL_AES_128_GCM = 1, COPENSSL_AES_256_GCM = 2, COPENSSL_CHACHA20_POLY1305 = 3 };

/* An AEAD context for one direction of a record layer. NULL on failure. Rekeying keeps the
   cipher. */
EVP_CIPHER_CTX *copenssl_aead_new(int aead, const unsigned char *key, int encrypt);
int copenssl_aead_rekey(EVP_CIPHER_CTX *ctx, const unsigned char *key, int encrypt);
/* Seals `count` bytes, then the inner content type if there is one (TLS 1.3), into `out`:
   the ciphertext, then the 16-byte tag, with `aad` as additional data. 1 on success. */
int copenssl_aead_seal(EVP_CIPHER_CTX *ctx, const unsigned char nonce[12], const unsigned char *aad, size_t aad_length,
                       const unsigned char *in, size_t count, const unsigned char *inner_type, unsigned char *out);
/* Opens `count` bytes (ciphertext then the 16-byte tag) into `out`. The plaintext's length
   (with TLS 1.3's inner content type and padding), or -1 when the record does not
   authenticate. */
long copenssl_aead_open(EVP_CIPHER_CTX *ctx, const unsigned char nonce[12], const unsigned char *aad, size_t aad_length,
                        const unsigned char *in, size_t count, unsigned char *out);

#endif
