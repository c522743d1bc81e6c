// Package wintest runs the Windows build under Wine, as a practitioner would
// use it: the console companion ehealth-tray.com at a terminal, the GUI
// ehealth-tray.exe given a command, the Run value of autostart, and the MSI.
//
// Its tests build only with the "wine" tag: scripts/test-windows.sh builds the
// artefacts (scripts/build.sh windows) and the Wine prefix
// (scripts/wine-prefix.sh), then runs `go test -tags wine ./wintest/`. What
// Wine cannot show (the CredUI dialog itself, toasts, AF_UNIX) is covered by
// the Windows unit tests that script runs under Wine too.
package wintest
