from heiki.cli.main import main

main()
