"""Delivering a message through Apprise (``pip install 'auditor[notify]'``).

Apprise knows some hundred services by URL (Slack, Matrix, Teams, e-mail,
ntfy, generic JSON webhooks ``json://`` / ``jsons://``). Each destination is
its own Apprise object, so one failing destination never holds back another,
and its outcome is known alone. A destination is the user's own configured
URL, not catalog input: it is not held to the verifier's address guard, so a
webhook on 127.0.0.1 or an intranet host is reached as configured.

Apprise logs through ``logging``; while a message is sent its records are
caught here (not printed) and what is shown of them is scrubbed of the URL's
secrets.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Protocol

from auditor import __version__
from auditor.notify.destinations import Destination, DestinationError, parse_destination
from auditor.notify.message import Message

INSTALL_HINT = "pip install 'auditor[notify]'"


class DeliveryError(Exception):
    """A destination did not take the message; the text is already scrubbed of secrets."""


class Sender(Protocol):
    destination: Destination

    def send(self, message: Message) -> None:
        """Deliver ``message`` or raise DeliveryError."""


def _apprise() -> Any:
    try:
        import apprise
    except ImportError as exc:
        raise DestinationError(
            f"sending notifications needs Apprise: {INSTALL_HINT} (or pip install apprise)"
        ) from exc
    return apprise


class _Caught(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.lines.append(record.getMessage())
        except Exception:  # a malformed log record is not worth a failed delivery
            self.lines.append(record.msg if isinstance(record.msg, str) else "")


@contextmanager
def _caught_logs() -> Iterator[_Caught]:
    logger = logging.getLogger("apprise")
    handler = _Caught()
    propagate, level = logger.propagate, logger.level
    logger.addHandler(handler)
    logger.propagate = False  # never to the root logger, or Python's stderr fallback
    if logger.level == logging.NOTSET or logger.level > logging.WARNING:
        logger.setLevel(logging.WARNING)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate
        logger.setLevel(level)


class AppriseSender:
    """One destination through Apprise."""

    def __init__(self, destination: Destination, where: str) -> None:
        apprise = _apprise()
        self.destination = destination
        self._apprise = apprise
        self._asset = apprise.AppriseAsset(
            app_id="auditor", app_desc=f"auditor {__version__}", secure_logging=True
        )
        with _caught_logs():
            service = apprise.Apprise.instantiate(destination.url, asset=self._asset)
        if service is None:
            raise DestinationError(
                f"{where} ({destination.label}): not a usable Apprise URL (unknown service "
                f"{destination.scheme}://, or a part it needs is missing or malformed; see "
                "https://github.com/caronc/apprise/wiki)"
            )
        self._service = service

    def send(self, message: Message) -> None:
        apprise = self._apprise
        notifier = apprise.Apprise(asset=self._asset)
        notifier.add(self._service)
        with _caught_logs() as caught:
            try:
                delivered = notifier.notify(
                    body=message.body,
                    title=message.title,
                    notify_type=apprise.NotifyType(message.notify_type),
                    body_format=apprise.NotifyFormat.TEXT,
                )
            except Exception as exc:  # a service's bug must not lose the other destinations
                raise DeliveryError(
                    self.destination.scrub(f"{type(exc).__name__}: {exc}")
                ) from None
        if not delivered:
            said = "; ".join(dict.fromkeys(line for line in caught.lines if line)) or (
                "the service did not accept the message"
            )
            raise DeliveryError(self.destination.scrub(said))


def open_senders(urls: list[str], *, option: str = "--to") -> list[Sender]:
    """A sender per URL, every URL checked before anything is sent (DestinationError)."""
    senders: list[Sender] = []
    seen: set[str] = set()
    for number, url in enumerate(urls, 1):
        where = f"{option} #{number}" if len(urls) > 1 else option
        destination = parse_destination(url, where)
        if destination.key in seen:
            continue  # the same URL twice is one destination
        seen.add(destination.key)
        senders.append(AppriseSender(destination, where))
    return senders
