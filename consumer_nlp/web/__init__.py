"""``consumer-nlp serve``: the complaint desk's browser interface (分类, 批量, 复核, 模型).

Needs the ``web`` extra (Starlette, Jinja2, uvicorn, python-multipart). Safe by default: it
listens on this machine only, unless a token is given; see ``_security``.
"""
from pathlib import Path

from ._app import create_app
from ._security import check_binding, loopback_names

__all__ = ["create_app", "serve"]


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
    print(f"投诉分类网页已启动：http://{shown}:{port}/" + ("?token=…（用给定的令牌）" if token else ""), flush=True)
    with hangup_as_sigterm():  # the terminal closed: stopped as on SIGTERM, its work recorded as stopped
        uvicorn.run(app, host=host, port=port, log_level="warning")
