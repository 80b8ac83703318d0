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
