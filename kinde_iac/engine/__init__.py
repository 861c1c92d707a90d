"""The engine, one job per module, in the direction data flows:

- ``session``: what one command holds open (config, desired objects, state, client), the lock, one refresh
- ``refresh``: live Kinde objects, one paged walk per kind
- ``diff``, ``plan``: the three-way comparison into a ``Plan`` (``plan_model``: Action, Verdict, Counts)
- ``safety``: the rails a plan passes before apply (protect, mass delete)
- ``graph``, ``apply``: dependency order and the journaled steps, told to listeners (``events``)
- ``apply_flow``: the apply command from plan to summary; ``workspaces``: plan over several workspaces
- ``planfile``: saved plans (write, read, schema check, freshness); ``secrets_file``: one-time secrets
- ``drift``, ``export``, ``adopt`` (``kinde-iac import``)
- ``envsides``, ``envdiff`` (``kinde-iac diff``), ``promote``, ``promote_edits`` (``kinde-iac promote``)

It sees resource kinds only through the registry in ``kinde_iac.resources``."""
