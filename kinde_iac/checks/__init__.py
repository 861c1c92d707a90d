"""``kinde-iac check`` (keys an app's code relies on, against a workspace) and ``kinde-iac lint``
(identity policy rules over the effective config, one module per rule in ``lint/``).

Both read only files: no network, no credentials, no secrets. They produce one ``Report`` that
``output`` renders as text or JSON and ``sarif`` as SARIF 2.1.0.
"""
