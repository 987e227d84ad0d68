/*
 * static_files.h: serves the demo page from signaling/web/ (index.html and
 * its ES modules / CSS) with the right Content-Type, Cache-Control and a strict
 * Content-Security-Policy. Only flat file names [a-z0-9_-]+.(html|js|mjs|css|svg|json|png|ico).
 */
#ifndef KN_STATIC_FILES_H
#define KN_STATIC_FILES_H

#include <stdbool.h>

#include "http/httpd.h"

/* True if `name` (a path without the leading '/') is a servable file name. */
bool kn_static_name_ok(const char *name);

/* Responds with the file for r->path ("/" = index.html) and returns true, or
 * returns false without responding when there is no such file. */
bool kn_static_serve(kn_http_req *r, const char *web_dir);

/* Responds with web_dir/name (a kn_static_name_ok name) and returns true, or
 * returns false without responding. */
bool kn_static_serve_file(kn_http_req *r, const char *web_dir, const char *name);

#endif
