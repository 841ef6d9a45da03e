"""Name-or-function arguments: `activation="relu"` or `activation=my_function`."""


def by_name(table, name, kind, alternative):
    """`table[name]`, or `name` itself when it is callable; else a ValueError listing the choices."""
    if callable(name):
        return name
    if name not in table:
        raise ValueError(f"unknown {kind} {name!r}; choose one of {', '.join(table)} or pass {alternative}")
    return table[name]
