/*
 * ws_conn.c: libwebsockets 4.1 glue for room signaling. Frames of one message
 * are joined up to KN_WSMSG_MAX_LEN (RFC 6455 §5.4); more closes with 1009.
 * Writes go one message per SERVER_WRITEABLE (lws's rule: one lws_write each).
 */
#include "ws/ws_conn.h"

#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "http/httpd.h"
#include "room/hub.h"
#include "ws/ws_msg.h"

int kn_wsconn_send(kn_wsconn *c, json_t *msg) {
    if (msg == NULL)
        return KN_ENOMEM;
    if (c->closing) {
        json_decref(msg);
        return KN_ESTATE;
    }
    char *text = json_dumps(msg, JSON_COMPACT);
    json_decref(msg);
    if (text == NULL)
        return KN_ENOMEM;
    size_t n = strlen(text);
    if (c->q_bytes + n > KN_WS_MAX_QUEUE) {
        free(text);
        kn_wsconn_close(c, 1008, "send queue full");
        return KN_ELIMIT;
    }
    kn_wsout *o = malloc(sizeof(*o) + LWS_PRE + n);
    if (o == NULL) {
        free(text);
        return KN_ENOMEM;
    }
    o->next = NULL;
    o->len = n;
    memcpy(o->data + LWS_PRE, text, n);
    free(text);
    if (c->tail)
        c->tail->next = o;
    else
        c->head = o;
    c->tail = o;
    c->q_bytes += n;
    lws_callback_on_writable(c->wsi);
    return 0;
}

void kn_wsconn_close(kn_wsconn *c, int code, const char *reason) {
    if (c->closing)
        return;
    c->closing = true;
    c->close_code = code;
    snprintf(c->close_reason, sizeof(c->close_reason), "%s", reason);
    lws_callback_on_writable(c->wsi);
}

static void drop_queue(kn_wsconn *c) {
    while (c->head) {
        kn_wsout *o = c->head;
        c->head = o->next;
        free(o);
    }
    c->tail = NULL;
    c->q_bytes = 0;
    free(c->rx);
    c->rx = NULL;
}

static int on_writeable(kn_wsconn *c) {
    kn_wsout *o = c->head;
    if (o != NULL) {
        c->head = o->next;
        if (c->head == NULL)
            c->tail = NULL;
        c->q_bytes -= o->len;
        int w = lws_write(c->wsi, o->data + LWS_PRE, o->len, LWS_WRITE_TEXT);
        free(o);
        if (w < 0)
            return -1;
        if (c->head) {
            lws_callback_on_writable(c->wsi);
            return 0;
        }
    }
    if (c->closing) {
        /* lws 4.1 drops the reason set by lws_close_reason when the callback
         * closes the connection, and LWS_WRITE_CLOSE is internal: write the
         * Close frame (RFC 6455 §5.5.1, server frames unmasked) raw. */
        uint8_t frame[LWS_PRE + 4 + sizeof(c->close_reason)], *f = frame + LWS_PRE;
        size_t n = strlen(c->close_reason);
        f[0] = 0x88; /* FIN, opcode 8 */
        f[1] = (uint8_t)(2 + n);
        f[2] = (uint8_t)(c->close_code >> 8);
        f[3] = (uint8_t)c->close_code;
        memcpy(f + 4, c->close_reason, n);
        lws_write(c->wsi, f, 4 + n, LWS_WRITE_RAW);
        return -1;
    }
    return 0;
}

static void on_receive(kn_wsconn *c, const void *in, size_t len) {
    bool final = lws_is_final_fragment(c->wsi) && lws_remaining_packet_payload(c->wsi) == 0;
    if (lws_is_first_fragment(c->wsi) && c->rx_len == 0 && lws_frame_is_binary(c->wsi))
        c->rx_skip = true;
    if (!c->rx_skip && c->rx_len + len > KN_WSMSG_MAX_LEN) {
        kn_hub_on_oversize(c);
        c->rx_skip = true;
    }
    if (!c->rx_skip) {
        if (c->rx == NULL && (c->rx = malloc(KN_WSMSG_MAX_LEN)) == NULL) {
            kn_wsconn_close(c, 1011, "out of memory");
            return;
        }
        memcpy(c->rx + c->rx_len, in, len);
        c->rx_len += len;
    }
    if (!final)
        return;
    if (!c->rx_skip)
        kn_hub_on_text(c, c->rx, c->rx_len);
    else if (!c->closing)
        kn_hub_on_binary(c);
    c->rx_len = 0;
    c->rx_skip = false;
}

static bool path_is_ws(struct lws *wsi) {
    char uri[16];
    return lws_hdr_copy(wsi, uri, sizeof(uri), WSI_TOKEN_GET_URI) > 0 && strcmp(uri, "/ws") == 0;
}

int kn_ws_lws_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                       size_t len) {
    kn_wsconn *c = user;
    switch (reason) {
    case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
        return path_is_ws(wsi) ? 0 : -1;
    case LWS_CALLBACK_ESTABLISHED:
        memset(c, 0, sizeof(*c));
        c->wsi = wsi;
        return kn_hub_on_open(kn_httpd_ws_app(wsi), c);
    case LWS_CALLBACK_RECEIVE:
        if (!c->closing)
            on_receive(c, in, len);
        return 0;
    case LWS_CALLBACK_SERVER_WRITEABLE:
        return on_writeable(c);
    case LWS_CALLBACK_CLOSED:
        if (c->hub)
            kn_hub_on_close(c);
        drop_queue(c);
        return 0;
    default:
        return 0;
    }
}
