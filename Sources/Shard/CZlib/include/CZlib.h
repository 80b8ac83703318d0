#ifndef CZLIB_H
#define CZLIB_H
/* zlib, for inflating permessage-deflate WebSocket messages (RFC 7692). */
#include <zlib.h>

/* inflateInit2 is a macro; Swift needs a function. */
static inline int czlib_inflate_init_raw(z_stream *stream) {
    return inflateInit2(stream, -15);
}
#endif
