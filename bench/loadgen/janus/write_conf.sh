#!/usr/bin/env bash
# write_conf.sh DIR HTTP_PORT RTP_RANGE: writes the Janus 1.1.2 configuration the
# capacity benchmark uses into DIR (never /etc/janus): HTTP REST transport only on
# 127.0.0.1:HTTP_PORT, only the VideoRoom plugin, candidates only on lo (with
# lo_ifaddrs.so preloaded), no events or loggers. See shared/notes/janus.md.
set -eu
dir=$1 port=$2 range=$3
lib=/usr/lib/x86_64-linux-gnu/janus
mkdir -p "$dir"
cat >"$dir/janus.jcfg" <<CFG
general: {
    configs_folder = "$dir"
    plugins_folder = "$lib/plugins"
    transports_folder = "$lib/transports"
    events_folder = "$lib/events"
    loggers_folder = "$lib/loggers"
    debug_level = ${KN_JANUS_DEBUG:-3}
    interface = "127.0.0.1"
    session_timeout = 60
    server_name = "kn-bench-janus"
}
certificates: {
}
media: {
    ipv6 = false
    rtp_port_range = "$range"
    no_media_timer = 1
}
nat: {
    ice_enforce_list = "lo"
    ignore_mdns = true
}
plugins: {
    disable = "libjanus_audiobridge.so,libjanus_duktape.so,libjanus_echotest.so,libjanus_lua.so,libjanus_nosip.so,libjanus_recordplay.so,libjanus_sip.so,libjanus_streaming.so,libjanus_textroom.so,libjanus_videocall.so,libjanus_voicemail.so"
}
transports: {
    disable = "libjanus_mqtt.so,libjanus_nanomsg.so,libjanus_pfunix.so,libjanus_rabbitmq.so,libjanus_websockets.so"
}
loggers: {
    disable = "libjanus_jsonlog.so"
}
events: {
    broadcast = false
}
CFG
cat >"$dir/janus.transport.http.jcfg" <<CFG
general: {
    json = "compact"
    base_path = "/janus"
    http = true
    port = $port
    ip = "127.0.0.1"
    https = false
    acl = "127."
}
admin: {
    admin_http = false
}
CFG
cat >"$dir/janus.plugin.videoroom.jcfg" <<CFG
general: {
}
CFG
