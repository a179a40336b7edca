vcl 4.1;

# http_gzip_support (on by default): Varnish asks the backend for gzip, and with do_gzip
# compresses an uncompressed page once when it stores it; gzip clients get the stored gzip,
# others a gunzip made per response. No brotli in Varnish itself.
backend origin {
    .host = "127.0.0.1";
    .port = "{{ORIGIN_PORT}}";
}

sub vcl_recv {
    unset req.http.Cookie;
    return (hash);
}

sub vcl_backend_response {
    if (beresp.http.Content-Type ~ "^text/") {
        set beresp.do_gzip = true;
    }
    set beresp.ttl = 1h;
    return (deliver);
}
