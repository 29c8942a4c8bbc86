// Command foundation-emulator serves the in-process AWS emulator the
// library's tests use, so other programs (the AWS CLI, Terraform, a test
// suite with FOUNDATION_TEST_ENDPOINT) can talk to it:
//
//	go run ./cmd/foundation-emulator -addr 127.0.0.1:4566
//	aws --endpoint-url http://127.0.0.1:4566 sts get-caller-identity
//
// Any credentials work: a 12-digit access key acts as that account's root
// user, anything else as the management account. State lives in memory and
// is printed as a canonical JSON snapshot on exit (SIGINT/SIGTERM) with -dump.
// -accounts creates member accounts whose access role trusts the management
// account, as Organizations does, until the emulator serves Organizations.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/awsfoundation/foundation/internal/emulator"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:4566", "address to listen on (loopback by default)")
	account := flag.String("management-account", emulator.DefaultManagementAccountID, "management account ID")
	pageSize := flag.Int("page-size", 0, "page size of list operations (0: the emulator's small default)")
	dump := flag.Bool("dump", false, "print the state snapshot on exit")
	members := flag.String("accounts", "", "member account IDs to create, comma-separated, each with -access-role trusting the management account")
	accessRole := flag.String("access-role", "OrganizationAccountAccessRole", "access role created in each member account")
	identityCenter := flag.Bool("identity-center", true, "enable IAM Identity Center with the organization (a console step on AWS)")
	flag.Parse()

	e := emulator.New(emulator.Options{ManagementAccountID: *account, PageSize: *pageSize, IdentityCenter: *identityCenter})
	if err := addMembers(e, *members, *accessRole); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	srv, err := emulator.Serve(e, *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("foundation emulator listening on %s (management account %s)\n", srv.URL, *account)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
	_ = srv.Close()
	if *dump {
		snap, err := srv.Snapshot()
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Println(string(snap))
	}
}

// addMembers creates member accounts whose access role trusts the
// management account, as AWS Organizations' CreateAccount does.
func addMembers(e *emulator.Emulator, ids, role string) error {
	if ids == "" {
		return nil
	}
	for _, id := range strings.Split(ids, ",") {
		if err := e.AddMemberAccount(strings.TrimSpace(id), role); err != nil {
			return fmt.Errorf("account %s: %w", id, err)
		}
	}
	return nil
}
