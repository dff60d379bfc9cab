"""Sequential loopback address allocation: primary IPs from 127.0.0.10, additional IPs from 127.1.0.1."""

import ipaddress


class AddressPool:
    """Hands out addresses in order, skipping .0 and .255 host octets; never reuses one until reset."""

    def __init__(self, first, last):
        self._next = int(ipaddress.IPv4Address(first))
        self._last = int(ipaddress.IPv4Address(last))

    def allocate(self):
        """The next free address as a string; RuntimeError when the pool is exhausted."""
        while self._next <= self._last:
            candidate = ipaddress.IPv4Address(self._next)
            self._next += 1
            if candidate.packed[3] not in (0, 255):
                return str(candidate)
        raise RuntimeError("the sandbox ran out of loopback addresses")


def primary_pool():
    """Pool for servers' primary IPs."""
    return AddressPool("127.0.0.10", "127.0.255.254")


def additional_pool():
    """Pool for add-on IPs (Otwa extra-ip and ip-class)."""
    return AddressPool("127.1.0.1", "127.254.255.254")
