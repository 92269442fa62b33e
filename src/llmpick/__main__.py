from llmpick.cli.app import main

main()
