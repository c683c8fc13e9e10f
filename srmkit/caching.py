"""One cache for results computed once per design (or per study).

A ``Design`` is frozen in meaning: the same object always gives the same comparison, sweeps,
simulator model or Monte Carlo figures. :func:`per_object` keeps such a result beside the object for
as long as the object lives (a weak reference, so a discarded design frees its results), and
computes it on first use.
"""

from __future__ import annotations

import functools
import weakref
from collections.abc import Callable
from typing import Concatenate, ParamSpec, TypeVar

K = TypeVar("K")
R = TypeVar("R")
P = ParamSpec("P")


def per_object(function: Callable[[K], R]) -> Callable[[K], R]:
    """Cache ``function(obj)`` for as long as ``obj`` lives: computed once per object.

    >>> class Thing: ...
    >>> calls = []
    >>> @per_object
    ... def answer(thing: Thing) -> int:
    ...     calls.append(thing)
    ...     return 42
    >>> t = Thing()
    >>> answer(t), answer(t), len(calls)
    (42, 42, 1)
    """
    results: weakref.WeakKeyDictionary[K, R] = weakref.WeakKeyDictionary()

    @functools.wraps(function)
    def cached(obj: K) -> R:
        try:
            return results[obj]
        except KeyError:
            result = results[obj] = function(obj)
            return result

    return cached


def per_object_and_args(function: Callable[Concatenate[K, P], R]) -> Callable[Concatenate[K, P], R]:
    """Cache ``function(obj, *args)`` per object and hashable arguments, for as long as ``obj``
    lives.

    >>> class Thing: ...
    >>> @per_object_and_args
    ... def twice(thing: Thing, n: int) -> int:
    ...     return 2 * n
    >>> t = Thing()
    >>> twice(t, 3), twice(t, 3), twice(t, 4)
    (6, 6, 8)
    """
    results: weakref.WeakKeyDictionary[K, dict[object, R]] = weakref.WeakKeyDictionary()

    @functools.wraps(function)
    def cached(obj: K, /, *args: P.args, **kwargs: P.kwargs) -> R:
        key = (args, tuple(sorted(kwargs.items())))
        known = results.setdefault(obj, {})
        try:
            return known[key]
        except KeyError:
            result = known[key] = function(obj, *args, **kwargs)
            return result

    return cached
