// Package readme keeps the Go snippets of the repository's README.md
// compiling and running: snippets_test.go holds them, each inside the
// function or import declaration it needs, and readme_test.go checks that
// every go block of README.md appears there verbatim, so that the README
// cannot drift from code that builds.
package readme
