"""Who did something: recorded on every event row."""

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Actor:
    """Who made a change: staff, an integrator, a provider, the customer or the system."""

    label: str
    user: Any = None  # a django.contrib.auth user when a person in the admin acted

    @classmethod
    def system(cls) -> "Actor":
        return cls("system")

    @classmethod
    def staff(cls, user) -> "Actor":
        return cls(f"staff:{user.get_username()}", user)

    @classmethod
    def integrator(cls, name: str) -> "Actor":
        return cls(f"api:{name}")

    @classmethod
    def provider(cls, name: str) -> "Actor":
        return cls(f"provider:{name}")

    @classmethod
    def customer(cls) -> "Actor":
        return cls("customer")
