"""Which host addresses aioice offers as ICE candidates.

aioice gathers host candidates from the module function ``aioice.ice.get_host_addresses`` and
always skips 127.0.0.1. The live service installs a replacement for its lifetime (and restores
the original on close) so an operator can pin the addresses (``CITYEYE_WEBRTC_HOSTS``), and a
machine with only loopback (tests, a laptop without network) still works locally.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Callable

import aioice.ice

log = logging.getLogger(__name__)

HostFn = Callable[[bool, bool], list[str]]


class HostAddresses:
    def __init__(self, hosts: tuple[str, ...]) -> None:
        for host in hosts:
            try:
                ipaddress.ip_address(host)
            except ValueError as exc:
                raise ValueError(f"ICE host {host!r} is not an IP address") from exc
        self._hosts = hosts
        self._original: HostFn | None = None
        self._installed: HostFn | None = None

    def _addresses(self, use_ipv4: bool, use_ipv6: bool) -> list[str]:
        if self._hosts:
            return [
                h for h in self._hosts
                if (use_ipv4 and ipaddress.ip_address(h).version == 4)
                or (use_ipv6 and ipaddress.ip_address(h).version == 6)
            ]
        assert self._original is not None
        found = self._original(use_ipv4, use_ipv6)
        return found or (["127.0.0.1"] if use_ipv4 else [])

    def install(self) -> None:
        if self._installed is not None:
            return
        self._original = aioice.ice.get_host_addresses

        def addresses(use_ipv4: bool, use_ipv6: bool) -> list[str]:
            return self._addresses(use_ipv4, use_ipv6)

        self._installed = addresses
        setattr(aioice.ice, "get_host_addresses", addresses)  # noqa: B010
        log.info("ICE host candidates: %s", ", ".join(self._hosts) or "all interfaces")

    def uninstall(self) -> None:
        if self._installed is None:
            return
        if aioice.ice.get_host_addresses is self._installed and self._original is not None:
            setattr(aioice.ice, "get_host_addresses", self._original)  # noqa: B010
        self._installed = None
