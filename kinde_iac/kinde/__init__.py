"""Kinde Management API client (see client.py for what is retried and why, docs/client.md for all of it)."""
from .client import KindeClient
from .credentials import Credentials, TokenCache, normalize_domain, resolve_credentials
from .errors import is_not_found, parse_error_body
from .limiter import AdaptiveLimiter, RateBucket
from .stats import ClientStats

__all__ = [
    "AdaptiveLimiter",
    "ClientStats",
    "Credentials",
    "KindeClient",
    "RateBucket",
    "TokenCache",
    "is_not_found",
    "normalize_domain",
    "parse_error_body",
    "resolve_credentials",
]
