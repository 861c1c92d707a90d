from kinde_iac.cli import run

run()
