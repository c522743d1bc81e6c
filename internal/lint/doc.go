// Package lint holds tests that keep rules for the whole module, which no
// single package's tests can see: for now, that no function outside tests is
// longer than 80 lines.
package lint
