"""Kinde Management API client (see client.py for what is retried and why, docs/client.md for all of it)."""
from .client import KindeClient
from .credentials import Credentials, TokenCache, normalize_domain, resolve_credentials
from .errors import is_not_found, parse_error_body
from .limiter import AdaptiveLimiter, RateBucket
from .stats import ClientStats
from .tuning import check_tuning, tuning_from_env

__all__ = [
    "AdaptiveLimiter",
    "ClientStats",
    "Credentials",
    "KindeClient",
    "RateBucket",
    "TokenCache",
    "check_tuning",
    "is_not_found",
    "normalize_domain",
    "parse_error_body",
    "resolve_credentials",
    "tuning_from_env",
]
