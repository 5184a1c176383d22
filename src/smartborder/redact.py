"""Secrets kept out of what is printed or logged: the password in any URL of a text is masked
(`postgresql://user:***@host/db`, as SQLAlchemy's `render_as_string(hide_password=True)`)."""

import logging
import re

_PASSWORD_IN_URL = re.compile(r"(?P<user>\b[a-z][a-z0-9+.-]*://[^:/?#@\s]*:)[^@\s]+@", re.IGNORECASE)


def masked(text: str) -> str:
    """The text with the password of every URL in it replaced by ***."""
    return _PASSWORD_IN_URL.sub(r"\g<user>***@", text)


class MaskSecrets(logging.Filter):
    """A log handler's filter: the message and any traceback of each record, masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if masked(message) != message:  # untouched otherwise: some formatters read the arguments (uvicorn's access log)
            record.msg, record.args = masked(message), None
        if record.exc_info:
            record.exc_text = masked(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


def log_config(base: dict) -> dict:
    """A logging dictConfig (such as uvicorn's LOGGING_CONFIG) whose every handler masks secrets."""
    handlers = {name: handler | {"filters": [*handler.get("filters", []), "mask_secrets"]} for name, handler in base.get("handlers", {}).items()}
    return base | {"filters": base.get("filters", {}) | {"mask_secrets": {"()": MaskSecrets}}, "handlers": handlers}
