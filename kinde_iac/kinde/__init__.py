"""Kinde Management API client (see client.py for what is retried and why)."""
from .client import ClientStats, KindeClient, is_not_found, parse_error_body
from .credentials import Credentials, TokenCache, normalize_domain, resolve_credentials
from .limiter import AdaptiveLimiter, RateBucket

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
