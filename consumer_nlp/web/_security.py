"""The web application's safety rules: loopback unless a token is given, the token on every request,
and a CSRF token on every form that changes something."""
import hmac
import ipaddress
import secrets
from urllib.parse import urlencode

from starlette.datastructures import URL
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse

TOKEN_COOKIE = "cnlp_token"
CSRF_COOKIE = "cnlp_csrf"
CSRF_FIELD = "csrf"


class Refused(Exception):
    """A request refused for a reason the user may read (``message``, Chinese) with an HTTP status."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message

    def __reduce__(self):  # rebuilt from its fields in another process (an upload is checked in one)
        return type(self), (self.status, self.message)


def is_loopback(host: str) -> bool:
    """Whether binding to ``host`` keeps the server on this machine (127.0.0.0/8, ::1, localhost)."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class NeedsToken(ValueError):
    """Serving on ``host``, beyond this machine, refused for want of a token; a front end says it in its words."""

    def __init__(self, host: str, message: str):
        super().__init__(message)
        self.host = host


def check_binding(host: str, token: str | None) -> None:
    """Refuse to serve beyond this machine without a token: anyone on the network could use it."""
    if not is_loopback(host) and not token:
        raise NeedsToken(host, f"serving on {host} makes the application reachable from other computers: "
                         f"give a token with token=… (every request must then carry it)")


def _same(a: str | None, b: str) -> bool:
    return a is not None and hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


# Pages come only from this server: no other site may frame them, and scripts are only our own file.
SECURITY_HEADERS = [(b"content-security-policy", b"default-src 'self'; img-src 'self' data:; "
                                                   b"style-src 'self' 'unsafe-inline'; frame-ancestors 'none'"),
                    (b"x-frame-options", b"DENY"), (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"same-origin")]


def loopback_names(host: str) -> set | None:
    """The Host headers a server bound to loopback ``host`` accepts (a page of another site that
    renamed itself to 127.0.0.1 by DNS sends its own name); None: any (a token guards the server)."""
    return {"127.0.0.1", "localhost", "[::1]", host.lower()} if is_loopback(host) else None


def _host_name(header: str) -> str:
    header = header.strip().lower()
    return header.rsplit(":", 1)[0] if header.count(":") == 1 or header.startswith("[") and "]:" in header else header


class TokenGate:
    """ASGI middleware: with a token set, a request passes only with the token in its cookie, or in
    ``?token=`` once (then the cookie is set and the address shown without it). With
    ``allowed_hosts``, a request naming another host is refused. Every response gets the
    security headers."""

    def __init__(self, app, token: str | None, allowed_hosts: set | None = None):
        self.app, self.token, self.allowed_hosts = app, token, allowed_hosts

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                message["headers"] = list(message.get("headers", [])) + SECURITY_HEADERS
            await send(message)

        await self._gate(scope, receive, send_with_headers)

    async def _gate(self, scope, receive, send):
        request = Request(scope)
        if self.allowed_hosts is not None and _host_name(request.headers.get("host", "")) not in self.allowed_hosts:
            return await HTMLResponse("<!DOCTYPE html><html lang='zh-CN'><meta charset='utf-8'><title>地址不对</title>"
                                      "<p>请用 http://127.0.0.1 开头的地址打开本应用。</p></html>",
                                      status_code=400)(scope, receive, send)
        if not self.token:
            return await self.app(scope, receive, send)
        if _same(request.cookies.get(TOKEN_COOKIE), self.token):
            return await self.app(scope, receive, send)
        if _same(request.query_params.get("token"), self.token):
            rest = [(k, v) for k, v in request.query_params.multi_items() if k != "token"]
            target = URL(path=request.url.path, query=urlencode(rest))
            response = RedirectResponse(str(target), status_code=303)
            response.set_cookie(TOKEN_COOKIE, self.token, httponly=True, samesite="strict")
            return await response(scope, receive, send)
        response = HTMLResponse("<!DOCTYPE html><html lang='zh-CN'><meta charset='utf-8'><title>需要令牌</title>"
                                "<p>需要访问令牌：请使用管理员给出的带 ?token= 的地址打开本页。</p></html>",
                                status_code=403)
        return await response(scope, receive, send)


def csrf_token(request: Request) -> str:
    """This browser's CSRF token (from its cookie, or a new one that the response will set)."""
    token = request.cookies.get(CSRF_COOKIE)
    if not token or len(token) < 20:
        token = getattr(request.state, "new_csrf", None) or secrets.token_urlsafe(24)
        request.state.new_csrf = token
    return token


def keep_csrf_cookie(request: Request, response) -> None:
    """Set the CSRF cookie on ``response`` if this request made a new token."""
    token = getattr(request.state, "new_csrf", None)
    if token:
        response.set_cookie(CSRF_COOKIE, token, httponly=True, samesite="strict")


def check_csrf(request: Request, form) -> None:
    """Refuse a form whose CSRF field does not match this browser's cookie: another site sent it."""
    cookie = request.cookies.get(CSRF_COOKIE)
    if not cookie or not _same(form.get(CSRF_FIELD) if form is not None else None, cookie):
        raise Refused(403, "表单已过期或来源不明（缺少安全令牌）。请回到页面刷新后重新提交。")
