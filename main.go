// Command ehealth-tray keeps a Belgian eHealth session from the system tray.
// Everything lives in the packages; main only hands over to the command line.
package main

import (
	_ "embed"
	"os"

	"ehealth-tray/cli"
)

//go:embed config.toml.example
var exampleConfig []byte

func main() {
	if ok, code := prepareConsole(os.Args[1:]); !ok {
		os.Exit(code)
	}
	os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr, cli.WithExampleConfig(exampleConfig)))
}
