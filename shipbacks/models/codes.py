"""Human-readable references: short, unambiguous when read aloud or typed from a label."""

import secrets

# No 0/O, 1/I/L, so a reference read off a parcel is typed right.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def random_code(length: int = 8) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def new_rma() -> str:
    return f"R{random_code()}"


def new_return_order_reference() -> str:
    return f"RO{random_code()}"


def new_public_token() -> str:
    """The portal link's secret: 192 bits, URL-safe."""
    return secrets.token_urlsafe(24)
