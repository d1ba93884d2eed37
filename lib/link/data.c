/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Ready-made data handlers: a file descriptor, a memory buffer. */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <ferry/data.h>
#include <ferry/error.h>

static ssize_t fd_get(void *priv, void *buf, size_t len)
{
    ferry_data_state *st = priv;
    for (;;) {
        ssize_t n = read(st->fd, buf, len);
        if (n >= 0) {
            st->pos += (size_t)n;
            return n;
        }
        if (errno != EINTR) {
            st->err = errno;
            return FERRY_ELOCAL_IO;
        }
    }
}

static int fd_put(void *priv, const void *buf, size_t len)
{
    ferry_data_state *st = priv;
    const unsigned char *p = buf;
    while (len) {
        ssize_t n = write(st->fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            st->err = errno;
            return errno == ENOSPC || errno == EDQUOT ? FERRY_ENOSPC : FERRY_ELOCAL_IO;
        }
        p += n;
        len -= (size_t)n;
        st->pos += (size_t)n;
    }
    return 0;
}

FERRY_API ferry_data ferry_data_fd(ferry_data_state *st, int fd)
{
    memset(st, 0, sizeof(*st));
    st->fd = fd;
    ferry_data d = {fd_get, fd_put, st};
    return d;
}

static ssize_t buf_get(void *priv, void *buf, size_t len)
{
    ferry_data_state *st = priv;
    size_t n = st->len - st->pos;
    if (n > len)
        n = len;
    memcpy(buf, st->buf + st->pos, n);
    st->pos += n;
    return (ssize_t)n;
}

static int buf_put(void *priv, const void *buf, size_t len)
{
    ferry_data_state *st = priv;
    if (len > st->len - st->pos)
        return FERRY_EOVERFLOW;
    memcpy(st->buf + st->pos, buf, len);
    st->pos += len;
    return 0;
}

FERRY_API ferry_data ferry_data_buffer(ferry_data_state *st, void *buf, size_t len)
{
    memset(st, 0, sizeof(*st));
    st->fd = -1;
    st->buf = buf;
    st->len = len;
    ferry_data d = {buf_get, buf_put, st};
    return d;
}
