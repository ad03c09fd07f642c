"""One way to plug in providers (payment gateways, carriers, search engines): a named registry of factories.

Each integration declares a `Registry` for its Protocol; implementations register a factory under a name
with `@registry.register("name")`; the app creates the one its setting names at start-up, and an unknown
name fails loudly, naming the setting and the choices.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any, Generic, TypeVar

T = TypeVar("T")
Factory = Callable[[Mapping[str, Any]], T]


class Registry(Generic[T]):
    """Factories of one kind of provider, by name, chosen by one setting."""

    def __init__(self, setting: str) -> None:
        self.setting = setting
        self._factories: dict[str, Factory] = {}

    def register(self, name: str) -> Callable[[Factory], Factory]:
        """Decorator: make a factory (taking the app config) selectable by `<setting>=name`."""

        def wrap(factory: Factory) -> Factory:
            self._factories[name] = factory
            return factory

        return wrap

    def create(self, name: str, config: Mapping[str, Any]) -> T:
        """The provider registered under `name`, built from the config.

        :raises RuntimeError: naming the setting and the registered names when `name` is unknown.
        """
        if name not in self._factories:
            raise RuntimeError(f"{self.setting}={name!r} is not one of: {', '.join(sorted(self._factories))}")
        return self._factories[name](config)

    def __contains__(self, name: object) -> bool:
        return name in self._factories

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._factories))
