#include "COpenSSL.h"

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
