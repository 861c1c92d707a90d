"""Reading application source for the keys it relies on (``kinde-iac check``)."""
