"""RemovableHandle: what registering a hook returns, so the hook can be taken off again."""

import itertools

# One counter for every hook ever registered: a key is never reused, so removing an
# old handle can never take off a newer hook.
_next_key = itertools.count()


class RemovableHandle:
    """A handle on one hook kept in ``hooks`` (a dict, in registration order) under a fresh key.

    ``handle.remove()`` takes the hook off (calling it again does nothing). The handle
    is also a context manager: ``with module.register_forward_hook(fn): ...`` removes
    the hook at the end of the block.
    """

    def __init__(self, hooks):
        self.hooks = hooks
        self.key = next(_next_key)

    @classmethod
    def add(cls, hooks, fn):
        """Put ``fn`` at the end of ``hooks`` and return the handle that removes it."""
        if not callable(fn):
            raise TypeError(f"a hook must be callable, got {type(fn).__name__}")
        handle = cls(hooks)
        hooks[handle.key] = fn
        return handle

    def remove(self):
        """Take the hook off; idempotent."""
        self.hooks.pop(self.key, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.remove()

    def __repr__(self):
        return f"RemovableHandle(key={self.key}, active={self.key in self.hooks})"
