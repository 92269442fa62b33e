from llmpick.cli.app import console

console()
