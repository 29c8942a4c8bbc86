// Package testkit is a consumer of the library, in its own module that
// requires only github.com/awsfoundation/foundation: it tests its own code
// (a CI role and a state backend for an application) with the public test
// kit, foundationtest, as a platform team would. It also checks that the
// library's test-only dependencies (testcontainers-go, Docker's client) do
// not reach a consumer's go.sum.
package testkit
