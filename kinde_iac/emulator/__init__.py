"""A local emulator of the Kinde Management API subset kinde-iac uses (see docs/emulator.md).

Start one in-process with :func:`kinde_iac.emulator.server.start_background`, or from the shell
with ``kinde-iac emulator``.
"""
