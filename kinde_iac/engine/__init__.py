"""The engine: session, graph, refresh, diff, plan, safety rails, apply, drift, export, import and
saved plans. It sees resource kinds only through the registry in ``kinde_iac.resources``."""
