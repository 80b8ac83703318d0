#include "COpenSSL.h"
#include <pthread.h>
#include <string.h>
#include <time.h>

static const unsigned char http1_protocol[] = { 8, 'h', 't', 't', 'p', '/', '1', '.', '1' };

static int select_http1(SSL *ssl, const unsigned char **out, unsigned char *out_length,
                        const unsigned char *offered, unsigned int offered_length, void *arg) {
    (void)ssl;
    (void)arg;
    unsigned char *chosen = NULL;
    unsigned char chosen_length = 0;
    if (SSL_select_next_proto(&chosen, &chosen_length, http1_protocol, sizeof http1_protocol,
                              offered, offered_length) != OPENSSL_NPN_NEGOTIATED) {
        return SSL_TLSEXT_ERR_NOACK;
    }
    *out = chosen;
    *out_length = chosen_length;
    return SSL_TLSEXT_ERR_OK;
}

void copenssl_ctx_select_http1_alpn(SSL_CTX *ctx) {
    SSL_CTX_set_alpn_select_cb(ctx, select_http1, NULL);
}

int copenssl_ctx_offer_http1_alpn(SSL_CTX *ctx) {
    return SSL_CTX_set_alpn_protos(ctx, http1_protocol, sizeof http1_protocol) == 0;
}

/* The session BIO. It holds no bytes: reads come from the pipe's input (the ring's receive
   buffer), writes go straight to the pipe's sink (the connection's send queue). The pipe is
   per thread and set only while a TLSStream call runs, so a BIO needs no state of its own. */

static __thread copenssl_pipe *current_pipe;

copenssl_pipe *copenssl_pipe_swap(copenssl_pipe *pipe) {
    copenssl_pipe *previous = current_pipe;
    current_pipe = pipe;
    return previous;
}

static int pipe_write(BIO *bio, const char *data, size_t count, size_t *written) {
    BIO_clear_retry_flags(bio);
    copenssl_pipe *pipe = current_pipe;
    if (pipe == NULL || pipe->sink == NULL) return 0;
    pipe->sink(pipe->sink_context, (const unsigned char *)data, count);
    *written = count;
    return 1;
}

static int pipe_read(BIO *bio, char *data, size_t size, size_t *read) {
    BIO_clear_retry_flags(bio);
    copenssl_pipe *pipe = current_pipe;
    if (pipe == NULL || pipe->input_left == 0) {
        BIO_set_retry_read(bio);
        *read = 0;
        return 0;
    }
    size_t count = size < pipe->input_left ? size : pipe->input_left;
    memcpy(data, pipe->input, count);
    pipe->input += count;
    pipe->input_left -= count;
    *read = count;
    return 1;
}

static long pipe_ctrl(BIO *bio, int command, long number, void *pointer) {
    (void)bio;
    (void)number;
    (void)pointer;
    switch (command) {
    case BIO_CTRL_FLUSH:
        return 1;
    case BIO_CTRL_PENDING:
        return current_pipe == NULL ? 0 : (long)current_pipe->input_left;
    default:
        return 0;
    }
}

static int pipe_create(BIO *bio) {
    BIO_set_init(bio, 1);
    return 1;
}

static BIO_METHOD *pipe_method;
static pthread_once_t pipe_method_once = PTHREAD_ONCE_INIT;

static void make_pipe_method(void) {
    BIO_METHOD *method = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "pushpind pipe");
    if (method == NULL) return;
    BIO_meth_set_write_ex(method, pipe_write);
    BIO_meth_set_read_ex(method, pipe_read);
    BIO_meth_set_ctrl(method, pipe_ctrl);
    BIO_meth_set_create(method, pipe_create);
    pipe_method = method;
}

int copenssl_set_pipe_bio(SSL *ssl) {
    pthread_once(&pipe_method_once, make_pipe_method);
    if (pipe_method == NULL) return 0;
    BIO *bio = BIO_new(pipe_method);
    if (bio == NULL) return 0;
    /* One BIO both ways: SSL_set_bio takes the second reference itself. */
    SSL_set_bio(ssl, bio, bio);
    return 1;
}

/* Session ticket keys that rotate: tickets are sealed with the current key; the previous one
   still opens them, and OpenSSL is then asked to issue a fresh ticket. Shared by the server
   contexts of every shard (hence the lock), found through each context's ex_data, which holds
   a reference. */

typedef struct {
    unsigned char name[16];
    unsigned char hmac[32];
    unsigned char aes[32];
} ticket_key;

struct copenssl_ticket_keys {
    pthread_mutex_t lock;
    int references;
    int64_t interval_nanos;
    int64_t rotate_at_nanos;
    ticket_key current;
    ticket_key previous;
    int has_previous;
};

static int64_t monotonic_nanos(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
}

static int random_key(ticket_key *key) {
    return RAND_bytes((unsigned char *)key, sizeof *key) == 1;
}

copenssl_ticket_keys *copenssl_ticket_keys_new(int64_t interval_nanos) {
    copenssl_ticket_keys *keys = OPENSSL_zalloc(sizeof *keys);
    if (keys == NULL) return NULL;
    if (!random_key(&keys->current)) {
        OPENSSL_free(keys);
        return NULL;
    }
    pthread_mutex_init(&keys->lock, NULL);
    keys->references = 1;
    keys->interval_nanos = interval_nanos;
    keys->rotate_at_nanos = monotonic_nanos() + interval_nanos;
    return keys;
}

void copenssl_ticket_keys_release(copenssl_ticket_keys *keys) {
    if (keys == NULL) return;
    pthread_mutex_lock(&keys->lock);
    int left = --keys->references;
    pthread_mutex_unlock(&keys->lock);
    if (left > 0) return;
    pthread_mutex_destroy(&keys->lock);
    OPENSSL_clear_free(keys, sizeof *keys);
}

/* Called with the lock held. A failed RAND_bytes keeps the current key (and retries next time). */
static void rotate(copenssl_ticket_keys *keys, int64_t now) {
    ticket_key fresh;
    if (!random_key(&fresh)) return;
    keys->previous = keys->current;
    keys->has_previous = 1;
    keys->current = fresh;
    keys->rotate_at_nanos = now + keys->interval_nanos;
    OPENSSL_cleanse(&fresh, sizeof fresh);
}

void copenssl_ticket_keys_rotate(copenssl_ticket_keys *keys) {
    pthread_mutex_lock(&keys->lock);
    rotate(keys, monotonic_nanos());
    pthread_mutex_unlock(&keys->lock);
}

static int ticket_keys_index = -1;
static pthread_once_t ticket_keys_index_once = PTHREAD_ONCE_INIT;

static void release_context_keys(void *parent, void *pointer, CRYPTO_EX_DATA *data, int index, long argl, void *argp) {
    (void)parent;
    (void)data;
    (void)index;
    (void)argl;
    (void)argp;
    copenssl_ticket_keys_release(pointer);
}

static void make_ticket_keys_index(void) {
    ticket_keys_index = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL, release_context_keys);
}

static int ticket_key_callback(SSL *ssl, unsigned char name[16], unsigned char *iv, EVP_CIPHER_CTX *cipher,
                               EVP_MAC_CTX *mac, int encrypt) {
    copenssl_ticket_keys *keys = SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), ticket_keys_index);
    if (keys == NULL) return -1;
    ticket_key key;
    int result = 1;
    pthread_mutex_lock(&keys->lock);
    int64_t now = monotonic_nanos();
    if (now >= keys->rotate_at_nanos) rotate(keys, now);
    if (encrypt || memcmp(name, keys->current.name, sizeof key.name) == 0) {
        key = keys->current;
    } else if (keys->has_previous && memcmp(name, keys->previous.name, sizeof key.name) == 0) {
        key = keys->previous;
        result = 2; /* valid, but renew the ticket under the current key */
    } else {
        pthread_mutex_unlock(&keys->lock);
        return 0; /* not ours or too old: a full handshake */
    }
    pthread_mutex_unlock(&keys->lock);
    if (encrypt) {
        memcpy(name, key.name, sizeof key.name);
        if (RAND_bytes(iv, EVP_CIPHER_get_iv_length(EVP_aes_256_cbc())) != 1) result = -1;
    }
    if (result > 0 && !(encrypt ? EVP_EncryptInit_ex(cipher, EVP_aes_256_cbc(), NULL, key.aes, iv)
                                : EVP_DecryptInit_ex(cipher, EVP_aes_256_cbc(), NULL, key.aes, iv))) {
        result = -1;
    }
    if (result > 0) {
        OSSL_PARAM params[3];
        params[0] = OSSL_PARAM_construct_octet_string(OSSL_MAC_PARAM_KEY, key.hmac, sizeof key.hmac);
        params[1] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, "SHA256", 0);
        params[2] = OSSL_PARAM_construct_end();
        if (!EVP_MAC_CTX_set_params(mac, params)) result = -1;
    }
    OPENSSL_cleanse(&key, sizeof key);
    return result;
}

int copenssl_ctx_use_ticket_keys(SSL_CTX *ctx, copenssl_ticket_keys *keys) {
    pthread_once(&ticket_keys_index_once, make_ticket_keys_index);
    if (ticket_keys_index < 0) return 0;
    pthread_mutex_lock(&keys->lock);
    keys->references++;
    pthread_mutex_unlock(&keys->lock);
    if (SSL_CTX_set_ex_data(ctx, ticket_keys_index, keys) != 1) {
        copenssl_ticket_keys_release(keys);
        return 0;
    }
    return SSL_CTX_set_tlsext_ticket_key_evp_cb(ctx, ticket_key_callback) == 1;
}

/* Handover state (see COpenSSL.h), found through the session's ex_data. */

static int handover_index = -1;
static pthread_once_t handover_index_once = PTHREAD_ONCE_INIT;

static void free_handover(void *parent, void *pointer, CRYPTO_EX_DATA *data, int index, long argl, void *argp) {
    (void)parent;
    (void)data;
    (void)index;
    (void)argl;
    (void)argp;
    if (pointer != NULL) OPENSSL_clear_free(pointer, sizeof(copenssl_handover));
}

static void make_handover_index(void) {
    handover_index = SSL_get_ex_new_index(0, NULL, NULL, NULL, free_handover);
}

static int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Key log lines are "LABEL <client random> <secret>", in hex. */
static void log_traffic_secret(const SSL *ssl, const char *line) {
    if (handover_index < 0) return;
    copenssl_handover *handover = SSL_get_ex_data(ssl, handover_index);
    if (handover == NULL) return;
    unsigned char *secret;
    size_t *length;
    static const char client_label[] = "CLIENT_TRAFFIC_SECRET_0 ";
    static const char server_label[] = "SERVER_TRAFFIC_SECRET_0 ";
    int server = 0;
    if (strncmp(line, client_label, sizeof client_label - 1) == 0) {
        secret = handover->client_secret;
        length = &handover->client_secret_length;
    } else if (strncmp(line, server_label, sizeof server_label - 1) == 0) {
        secret = handover->server_secret;
        length = &handover->server_secret_length;
        server = 1;
    } else {
        return;
    }
    const char *hex = strrchr(line, ' ');
    if (hex == NULL) return;
    hex++;
    size_t digits = strlen(hex);
    if (digits % 2 != 0 || digits / 2 > EVP_MAX_MD_SIZE) return;
    for (size_t i = 0; i < digits / 2; i++) {
        int high = hex_value(hex[2 * i]), low = hex_value(hex[2 * i + 1]);
        if (high < 0 || low < 0) return;
        secret[i] = (unsigned char)(high << 4 | low);
    }
    *length = digits / 2;
    if (server) handover->server_records = 0;
}

static void count_records(int write_p, int version, int content_type, const void *buf, size_t len,
                          SSL *ssl, void *arg) {
    (void)version;
    (void)arg;
    if (content_type != SSL3_RT_HEADER || len < 1) return;
    copenssl_handover *handover = SSL_get_ex_data(ssl, handover_index);
    if (handover == NULL) return;
    /* TLS 1.2: keys change after a ChangeCipherSpec record; the count starts with the next. */
    int ccs = ((const unsigned char *)buf)[0] == SSL3_RT_CHANGE_CIPHER_SPEC;
    uint64_t *after_ccs = write_p ? &handover->written_records_after_ccs : &handover->read_records_after_ccs;
    *after_ccs = ccs ? 0 : *after_ccs + 1;
    if (write_p && handover->server_secret_length > 0) handover->server_records++;
}

void copenssl_ctx_log_traffic_secrets(SSL_CTX *ctx) {
    SSL_CTX_set_keylog_callback(ctx, log_traffic_secret);
}

int copenssl_track_handover(SSL *ssl) {
    pthread_once(&handover_index_once, make_handover_index);
    if (handover_index < 0) return 0;
    copenssl_handover *handover = OPENSSL_zalloc(sizeof *handover);
    if (handover == NULL) return 0;
    if (SSL_set_ex_data(ssl, handover_index, handover) != 1) {
        OPENSSL_free(handover);
        return 0;
    }
    SSL_set_msg_callback(ssl, count_records);
    return 1;
}

int copenssl_take_handover(SSL *ssl, copenssl_handover *out) {
    if (handover_index < 0) return 0;
    copenssl_handover *handover = SSL_get_ex_data(ssl, handover_index);
    if (handover == NULL) return 0;
    SSL_set_msg_callback(ssl, NULL);
    SSL_set_ex_data(ssl, handover_index, NULL);
    if (out != NULL) *out = *handover;
    OPENSSL_clear_free(handover, sizeof *handover);
    return 1;
}

/* Fetched once for every session: a fetch per handover took a lock and a search each time. */
static EVP_KDF *hkdf, *tls1_prf;
static EVP_CIPHER *aes_128_gcm, *aes_256_gcm, *chacha20_poly1305;
static pthread_once_t record_algorithms_once = PTHREAD_ONCE_INIT;

static void fetch_record_algorithms(void) {
    hkdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
    tls1_prf = EVP_KDF_fetch(NULL, "TLS1-PRF", NULL);
    aes_128_gcm = EVP_CIPHER_fetch(NULL, "AES-128-GCM", NULL);
    aes_256_gcm = EVP_CIPHER_fetch(NULL, "AES-256-GCM", NULL);
    chacha20_poly1305 = EVP_CIPHER_fetch(NULL, "ChaCha20-Poly1305", NULL);
}

int copenssl_hkdf_expand_label(const char *digest, const unsigned char *secret, size_t secret_length,
                               const char *label, unsigned char *out, size_t out_length) {
    /* HkdfLabel: uint16 length, opaque label<7..255> = "tls13 " + label, opaque context<0..255>. */
    unsigned char info[2 + 1 + 255 + 1];
    size_t label_length = strlen(label);
    if (label_length + 6 > 255 || out_length > 0xffff) return 0;
    size_t at = 0;
    info[at++] = (unsigned char)(out_length >> 8);
    info[at++] = (unsigned char)out_length;
    info[at++] = (unsigned char)(label_length + 6);
    memcpy(info + at, "tls13 ", 6);
    at += 6;
    memcpy(info + at, label, label_length);
    at += label_length;
    info[at++] = 0;
    pthread_once(&record_algorithms_once, fetch_record_algorithms);
    if (hkdf == NULL) return 0;
    EVP_KDF_CTX *context = EVP_KDF_CTX_new(hkdf);
    if (context == NULL) return 0;
    int mode = EVP_KDF_HKDF_MODE_EXPAND_ONLY;
    OSSL_PARAM params[5];
    params[0] = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
    params[1] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)digest, 0);
    params[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)secret, secret_length);
    params[3] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info, at);
    params[4] = OSSL_PARAM_construct_end();
    int result = EVP_KDF_derive(context, out, out_length, params) == 1;
    EVP_KDF_CTX_free(context);
    return result;
}

int copenssl_tls12_key_block(const SSL *ssl, const char *digest, unsigned char *out, size_t out_length) {
    unsigned char master[SSL_MAX_MASTER_KEY_LENGTH];
    /* The PRF's seed is its label, then the randoms: the server's first for key expansion. */
    static const char label[] = "key expansion";
    unsigned char seed[sizeof label - 1 + 2 * SSL3_RANDOM_SIZE];
    memcpy(seed, label, sizeof label - 1);
    if (SSL_get_server_random(ssl, seed + sizeof label - 1, SSL3_RANDOM_SIZE) != SSL3_RANDOM_SIZE) return 0;
    if (SSL_get_client_random(ssl, seed + sizeof label - 1 + SSL3_RANDOM_SIZE, SSL3_RANDOM_SIZE) != SSL3_RANDOM_SIZE) return 0;
    SSL_SESSION *session = SSL_get_session(ssl);
    if (session == NULL) return 0;
    size_t master_length = SSL_SESSION_get_master_key(session, master, sizeof master);
    pthread_once(&record_algorithms_once, fetch_record_algorithms);
    int result = 0;
    EVP_KDF_CTX *context = master_length == 0 || tls1_prf == NULL ? NULL : EVP_KDF_CTX_new(tls1_prf);
    if (context != NULL) {
        OSSL_PARAM params[4];
        params[0] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)digest, 0);
        params[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SECRET, master, master_length);
        params[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, seed, sizeof seed);
        params[3] = OSSL_PARAM_construct_end();
        result = EVP_KDF_derive(context, out, out_length, params) == 1;
        EVP_KDF_CTX_free(context);
    }
    OPENSSL_cleanse(master, sizeof master);
    return result;
}

static const EVP_CIPHER *aead_cipher(int aead) {
    pthread_once(&record_algorithms_once, fetch_record_algorithms);
    switch (aead) {
    case COPENSSL_AES_128_GCM: return aes_128_gcm;
    case COPENSSL_AES_256_GCM: return aes_256_gcm;
    case COPENSSL_CHACHA20_POLY1305: return chacha20_poly1305;
    default: return NULL;
    }
}

EVP_CIPHER_CTX *copenssl_aead_new(int aead, const unsigned char *key, int encrypt) {
    const EVP_CIPHER *cipher = aead_cipher(aead);
    if (cipher == NULL) return NULL;
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    if (ctx == NULL) return NULL;
    if (EVP_CipherInit_ex(ctx, cipher, NULL, key, NULL, encrypt) != 1) {
        EVP_CIPHER_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

int copenssl_aead_rekey(EVP_CIPHER_CTX *ctx, const unsigned char *key, int encrypt) {
    return EVP_CipherInit_ex(ctx, NULL, NULL, key, NULL, encrypt) == 1;
}

int copenssl_aead_seal(EVP_CIPHER_CTX *ctx, const unsigned char nonce[12], const unsigned char *aad, size_t aad_length,
                       const unsigned char *in, size_t count, const unsigned char *inner_type, unsigned char *out) {
    int length = 0;
    if (count > 16384) return 0;
    size_t sealed = count + (inner_type != NULL);
    if (EVP_EncryptInit_ex(ctx, NULL, NULL, NULL, nonce) != 1) return 0;
    if (EVP_EncryptUpdate(ctx, NULL, &length, aad, (int)aad_length) != 1) return 0;
    if (count > 0 && EVP_EncryptUpdate(ctx, out, &length, in, (int)count) != 1) return 0;
    if (inner_type != NULL && EVP_EncryptUpdate(ctx, out + count, &length, inner_type, 1) != 1) return 0;
    if (EVP_EncryptFinal_ex(ctx, out + sealed, &length) != 1) return 0;
    return EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, 16, out + sealed) == 1;
}

long copenssl_aead_open(EVP_CIPHER_CTX *ctx, const unsigned char nonce[12], const unsigned char *aad, size_t aad_length,
                        const unsigned char *in, size_t count, unsigned char *out) {
    int length = 0;
    if (count < 16 || count > 16384 + 256) return -1;
    size_t body = count - 16;
    if (EVP_DecryptInit_ex(ctx, NULL, NULL, NULL, nonce) != 1) return -1;
    if (EVP_DecryptUpdate(ctx, NULL, &length, aad, (int)aad_length) != 1) return -1;
    if (body > 0 && EVP_DecryptUpdate(ctx, out, &length, in, (int)body) != 1) return -1;
    if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, 16, (void *)(in + body)) != 1) return -1;
    if (EVP_DecryptFinal_ex(ctx, out + body, &length) != 1) return -1;
    return (long)body;
}
