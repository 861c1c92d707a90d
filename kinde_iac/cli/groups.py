"""The click group every kinde-iac command group is made of."""
from __future__ import annotations

import click


class SuggestingGroup(click.Group):
    """A misspelt command is told the close names (``No such command 'plna'. Did you mean 'plan'?``),
    as click already does for a misspelt option but not for a command."""

    def resolve_command(self, ctx: click.Context, args: list[str]) -> tuple[str | None, click.Command | None,
                                                                             list[str]]:
        try:
            return super().resolve_command(ctx, args)
        except click.UsageError as err:
            import difflib

            close = difflib.get_close_matches(args[0], self.list_commands(ctx), n=3) if args else []
            if not close:
                raise
            hint = " or ".join(repr(name) for name in close)
            raise click.UsageError(f"{err.message} Did you mean {hint}?", ctx=err.ctx) from None
