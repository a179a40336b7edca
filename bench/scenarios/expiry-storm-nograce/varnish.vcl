vcl 4.1;
# ttl 1 s; Varnish's default grace (10 s) serves the stale page while one background fetch runs,
# and its waiting list coalesces concurrent misses.

backend app {
    .host = "127.0.0.1";
    .port = "{{ORIGIN_PORT}}";
}

sub vcl_recv {
    unset req.http.Cookie;
    return (hash);
}

sub vcl_backend_response {
    set beresp.ttl = 1s;
    unset beresp.http.Set-Cookie;
    unset beresp.http.Vary;
    return (deliver);
}
