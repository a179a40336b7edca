vcl 4.1;
# What a Varnish operator writes for the same site: a sessionid cookie means "logged in".

backend app {
    .host = "127.0.0.1";
    .port = "{{ORIGIN_PORT}}";
}

sub vcl_recv {
    if (req.url ~ "^/static/") {
        unset req.http.Cookie;
        return (hash);
    }
    if (req.http.Cookie ~ "(^|;\s*)(session|remember_token|sessionid)=") {
        return (pass);
    }
    if (req.url ~ "^/(about|project/[^/?]+)?(\?.*)?$") {
        unset req.http.Cookie;
        return (hash);
    }
    return (pass);
}

sub vcl_backend_response {
    if (bereq.uncacheable) {
        return (deliver);
    }
    if (bereq.url ~ "^/static/") {
        set beresp.ttl = 1h;
    } else {
        set beresp.ttl = 60s;
    }
    unset beresp.http.Set-Cookie;
    unset beresp.http.Vary;
    return (deliver);
}
