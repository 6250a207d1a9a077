from heiki.cli.main import main

main(fast_exit=True)
