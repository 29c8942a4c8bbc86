// Package emutest holds the test helpers the emulator's packages share:
// starting an emulator for a test (Start), SDK client configuration
// (Config), and setup steps and assertions used by more than one
// service's tests. It is imported by tests only.
package emutest
