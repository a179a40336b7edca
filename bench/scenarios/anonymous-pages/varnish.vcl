vcl 4.1;
# What a Varnish operator writes for the same site. Varnish cannot read Flask's session payload,
# so any session or remember_token cookie means "logged in" (an anonymous visitor who has a
# session cookie is passed too; Larder tells them apart by the payload's _user_id).

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
