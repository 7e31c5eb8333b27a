"""``consumer-nlp serve``: the complaint desk's browser interface (分类, 批量, 复核, 模型).

Needs the ``web`` extra (Starlette, Jinja2, uvicorn, python-multipart). Safe by default: it
listens on this machine only, unless a token is given; see ``_security``.
"""
import errno
import socket
from pathlib import Path

from ._app import create_app
from ._security import check_binding, loopback_names

__all__ = ["create_app", "PortInUse", "serve"]


class PortInUse(OSError):
    """The port asked for is taken (another ``serve`` still running there, or another program): said before the
    server says it started. ``address`` is the page the other server may be answering on."""

    def __init__(self, host: str, port: int, address: str):
        super().__init__(errno.EADDRINUSE, f"port {port} on {host} is in use (another consumer-nlp serve may be "
                                           f"running there: open {address}); pass port=… for another")
        self.port, self.address = port, address


def _bound(host: str, port: int, address: str) -> socket.socket:
    """A socket bound to ``host`` and ``port`` as uvicorn binds one (IPv6 where the host has a colon), for the server
    to listen on: a port in use is a :class:`PortInUse` before anything is said or started."""
    sock = socket.socket(family=socket.AF_INET6 if ":" in host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        if error.errno == errno.EADDRINUSE or getattr(error, "winerror", None) == 10048:
            raise PortInUse(host, port, address) from None
        raise
    sock.set_inheritable(True)
    return sock


def serve(*, host: str = "127.0.0.1", port: int = 8315, registry=None, workspace=None, token: str | None = None,
          corpus=None, max_upload_mb: int = 200) -> None:
    """Run the application with uvicorn until stopped. ``registry``: the model registry folder
    (default: as for ``ModelRegistry``); ``workspace``: where uploads go (default: ``web`` in it)."""
    import uvicorn

    from .._signals import hangup_as_sigterm
    from ..models import ModelRegistry

    check_binding(host, token)
    root = ModelRegistry(registry).root
    app = create_app(registry=root, workspace=Path(workspace) if workspace else root / "web", token=token,
                     corpus=corpus, max_upload_bytes=max_upload_mb * 1_000_000,
                     allowed_hosts=None if token else loopback_names(host))
    shown = f"[{host}]" if ":" in host else host
    sock = _bound(host, port, f"http://{shown}:{port}/")
    print(f"投诉分类网页已启动：http://{shown}:{port}/" + ("?token=…（用给定的令牌）" if token else ""), flush=True)
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning"))
    with sock, hangup_as_sigterm():  # the terminal closed: stopped as on SIGTERM, its work recorded as stopped
        try:  # as uvicorn.run does it, on the socket bound above
            server.run(sockets=[sock])
        except KeyboardInterrupt:
            pass
    if not server.started:  # the application's start-up failed, as uvicorn.run ends then
        raise SystemExit(3)
