/*
 * static_files.c: the web client's and demo page's files, read per request (they are a few KiB
 * and change during development), capped at 256 KiB.
 */
#include "http/static_files.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FILE (256 * 1024)

static const struct {
    const char *ext;
    const char *type;
} types[] = {
    {".html", "text/html; charset=utf-8"      },
    {".js",   "text/javascript; charset=utf-8"},
    {".css",  "text/css; charset=utf-8"       },
    {".svg",  "image/svg+xml"                 },
    {".mjs",  "text/javascript; charset=utf-8"},
    {".json", "application/json"              },
    {".png",  "image/png"                     },
    {".ico",  "image/x-icon"                  },
};

static const char *type_of(const char *name) {
    const char *dot = strrchr(name, '.');
    for (size_t i = 0; dot && i < sizeof(types) / sizeof(types[0]); i++)
        if (strcmp(dot, types[i].ext) == 0)
            return types[i].type;
    return NULL;
}

bool kn_static_name_ok(const char *name) {
    size_t n = strlen(name);
    const char *dot = strrchr(name, '.');
    if (n == 0 || n > 64 || dot == NULL || dot == name || type_of(name) == NULL)
        return false;
    for (const char *c = name; c < dot; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '-' || *c == '_'))
            return false;
    return true;
}

bool kn_static_serve(kn_http_req *r, const char *web_dir) {
    if (r->path[0] != '/')
        return false;
    return kn_static_serve_file(r, web_dir, strcmp(r->path, "/") == 0 ? "index.html" : r->path + 1);
}

bool kn_static_serve_file(kn_http_req *r, const char *web_dir, const char *name) {
    char path[1024];
    if (!kn_static_name_ok(name) ||
        (size_t)snprintf(path, sizeof(path), "%s/%s", web_dir, name) >= sizeof(path))
        return false;
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return false;
    char *buf = malloc(MAX_FILE);
    size_t n = buf ? fread(buf, 1, MAX_FILE, f) : 0;
    fclose(f);
    r->headers |= KN_HTTP_H_STATIC;
    if (buf == NULL || n == MAX_FILE)
        kn_http_respond_text(r, 500, "file too large or out of memory");
    else
        kn_http_respond(r, 200, type_of(name), buf, n);
    free(buf);
    return true;
}
