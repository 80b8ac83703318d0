#include "COpenSSL.h"
#include <pthread.h>
#include <string.h>

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
