package readme

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// goBlock is a fenced go block of a Markdown file.
var goBlock = regexp.MustCompile("(?ms)^```go\n(.*?)^```$")

// Every go block of README.md is in snippets_test.go verbatim, where it
// compiles (go vet, go test) and the tests run it on the emulator: a
// README snippet that is edited alone fails here.
func TestREADMESnippetsCompile(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	code, err := os.ReadFile("snippets_test.go")
	if err != nil {
		t.Fatal(err)
	}
	blocks := goBlock.FindAllStringSubmatch(string(readme), -1)
	if len(blocks) < 5 {
		t.Fatalf("README.md has %d go blocks; want its 5 or more", len(blocks))
	}
	for _, b := range blocks {
		if !strings.Contains(string(code), b[1]) {
			first, _, _ := strings.Cut(b[1], "\n")
			t.Errorf("README.md's go block starting %q is not in snippets_test.go verbatim: copy it from there", first)
		}
	}
}
