/* What an idle server TLS session holds in OpenSSL, by allocation site: live bytes per
   connection after N in-memory handshakes (TLS 1.3, P-256 certificate picked by an SNI switch
   as pushpind's listener does, tickets, SSL_MODE_RELEASE_BUFFERS), one request and one
   response each. Counts only allocations made inside server-side calls, through
   CRYPTO_set_mem_functions. Also prints the server's allocations per request + response.
     cc -O1 -o /tmp/tls-session-memory Benchmarks/tls-session-memory.c -lssl -lcrypto
     openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=bench.test -keyout k.pem -out c.pem
     /tmp/tls-session-memory N MODE   (in the directory of c.pem and k.pem)
   MODE 0: two memory BIOs (pushpind before the pipe BIO); 4: one BIO with no buffer, as now. */
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
// Tracks live bytes per allocation site while `side` == 1 (server-side calls).
typedef struct { size_t size; int site; int side; long pad; } hdr;
#define SITES 4096
static struct { const char *file; int line; } sites[SITES];
static long site_live[SITES], site_count[SITES];
static int nsites; int side = 0; long mallocs = 0, mbytes = 0;
static int site_of(const char *f, int l) {
  for (int i = 0; i < nsites; i++) if (sites[i].line == l && sites[i].file == f) return i;
  sites[nsites].file = f; sites[nsites].line = l; return nsites++;
}
static void *m(size_t n, const char *f, int l) {
  hdr *h = malloc(sizeof(hdr) + n); if (!h) return 0; h->size = n; h->side = side; if (side) { mallocs++; mbytes += n; }
  h->site = side ? site_of(f, l) : -1;
  if (side) { site_live[h->site] += n; site_count[h->site]++; }
  return h + 1;
}
static void fr(void *p, const char *f, int l) {
  if (!p) return;
  hdr *h = (hdr *)p - 1;
  if (h->site >= 0) { site_live[h->site] -= h->size; site_count[h->site]--; }
  free(h);
}
static void *re(void *p, size_t n, const char *f, int l) {
  if (!p) return m(n, f, l);
  hdr *h = (hdr *)p - 1; size_t old = h->size;
  void *q = m(n, f, l); if (!q) return 0; memcpy(q, p, old < n ? old : n); fr(p, f, l); return q;
}
static SSL_CTX *cert_ctx;
static int sni(SSL *s, int *al, void *arg) { SSL_set_SSL_CTX(s, cert_ctx); return SSL_TLSEXT_ERR_OK; }
static void pump(BIO *from, BIO *to) { char b[65536]; int n; while ((n = BIO_read(from, b, sizeof b)) > 0) BIO_write(to, b, n); }
int main(int argc, char **argv) {
  int N = atoi(argv[1]); int mode = atoi(argv[2]); // bit 0: fresh memory BIOs after; bit 1: no SNI switch; bit 2: one unbuffered BIO
  CRYPTO_set_mem_functions(m, re, fr);
  SSL_CTX *sctx = SSL_CTX_new(TLS_server_method());
  cert_ctx = SSL_CTX_new(TLS_server_method());
  SSL_CTX_use_certificate_chain_file(cert_ctx, "c.pem"); SSL_CTX_use_PrivateKey_file(cert_ctx, "k.pem", SSL_FILETYPE_PEM);

  if (mode & 2) sctx = cert_ctx;
  SSL_CTX_set_mode(sctx, SSL_MODE_RELEASE_BUFFERS); SSL_CTX_set_mode(cert_ctx, SSL_MODE_RELEASE_BUFFERS);
  SSL_CTX_set_session_cache_mode(sctx, SSL_SESS_CACHE_OFF);
  unsigned char keys[80]; memset(keys, 7, 80); SSL_CTX_set_tlsext_ticket_keys(sctx, keys, 80);
  if (!(mode & 2)) SSL_CTX_set_tlsext_servername_callback(sctx, sni);
  SSL_CTX *cctx = SSL_CTX_new(TLS_client_method());
  SSL **keep = calloc(N, sizeof *keep);
  for (int i = 0; i < N; i++) {
    SSL *c = SSL_new(cctx); BIO *ci = BIO_new(BIO_s_mem()), *co = BIO_new(BIO_s_mem()); SSL_set_bio(c, ci, co); SSL_set_connect_state(c);
    SSL_set_tlsext_host_name(c, "bench.test");
    side = 1;
    SSL *s = SSL_new(sctx); BIO *si = BIO_new(BIO_s_mem()), *so = BIO_new(BIO_s_mem()); SSL_set_bio(s, si, so); SSL_set_accept_state(s);
    side = 0;
    for (int k = 0; k < 10; k++) {
      SSL_do_handshake(c); side = 1; pump(co, si); SSL_do_handshake(s); pump(so, ci); side = 0;
    }
    if (!SSL_is_init_finished(s)) { fprintf(stderr, "no hs\n"); return 1; }
    const char *req = "GET / HTTP/1.1\r\nHost: bench.test\r\n\r\n"; SSL_write(c, req, strlen(req)); side = 1; pump(co, si);
    char buf[16384]; int n = SSL_read(s, buf, sizeof buf); (void)n; char resp[300]; memset(resp, 'x', 300); SSL_write(s, resp, 300); pump(so, ci);
    side = 0; n = SSL_read(c, buf, sizeof buf);
    if (i == 0) {
      side = 1; long m0 = mallocs, b0 = mbytes;
      for (int r = 0; r < 1000; r++) {
        side = 0; SSL_write(c, req, strlen(req)); side = 1; pump(co, si);
        SSL_read(s, buf, sizeof buf); SSL_write(s, resp, 300); pump(so, ci);
        side = 0; SSL_read(c, buf, sizeof buf); side = 1;
      }
      printf("server-side allocations per request+response: %.2f (%.0f bytes)\n", (mallocs - m0) / 1000.0, (mbytes - b0) / 1000.0);
      side = 0;
    }
    side = 1;
    if (mode & 1) { SSL_set0_rbio(s, BIO_new(BIO_s_mem())); SSL_set0_wbio(s, BIO_new(BIO_s_mem())); }
    if (mode & 4) { BIO *b = BIO_new(BIO_s_null()); SSL_set_bio(s, b, b); }
    side = 0;
    keep[i] = s; SSL_free(c);
  }
  long total = 0; for (int i = 0; i < nsites; i++) total += site_live[i];
  printf("server live bytes per connection: %.0f\n", (double)total / N);
  for (int i = 0; i < nsites; i++) if (site_live[i] / N >= 8 || site_count[i] >= N)
    printf("%7.0f B %5.2f allocs  %s:%d\n", (double)site_live[i] / N, (double)site_count[i] / N, sites[i].file, sites[i].line);
  return 0;
}
