// Command ehealth-tray keeps a Belgian eHealth session from the system tray.
// Everything lives in the packages; main only hands over to the command line.
package main

import (
	"os"

	"ehealth-tray/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
