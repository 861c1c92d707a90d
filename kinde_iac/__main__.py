from kinde_iac.cli import main

main()
