"""``python -m kinde_iac.emulator``: the same command as ``kinde-iac emulator``."""
from kinde_iac.emulator.cli import emulator_command

emulator_command(prog_name="python -m kinde_iac.emulator")
