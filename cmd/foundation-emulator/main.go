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
//
// It listens on -addr, else $FOUNDATION_EMULATOR_ADDR, else 127.0.0.1:4566
// (loopback). It refuses an address that is not loopback ("-addr :4566",
// 0.0.0.0, a LAN address) unless -allow-remote is given, and then prints a
// warning: the emulator checks no signature, so anyone who can reach it acts
// as any account and can reset, read or fault it. The container image
// (Dockerfile beside this file) runs it with -allow-remote on 0.0.0.0:4566
// inside the container; publish the port on the host's loopback
// (-p 127.0.0.1:4566:4566).
//
// # Control API
//
// Beside the AWS APIs the server answers plain JSON under /_foundation/
// (internal/emulator/control.go has the details):
//
//	GET    /_foundation/health    {"status":"ok"}
//	GET    /_foundation/info      {"managementAccountId":...,"version":...}
//	POST   /_foundation/reset     fresh state, as at startup (-accounts recreated)
//	GET    /_foundation/snapshot  the canonical JSON snapshot of all state
//	GET    /_foundation/calls     the call log ([{service, operation, account, mutating, status, error, ...}]; ?since=N)
//	GET    /_foundation/faults    the installed faults, with how often each fired
//	POST   /_foundation/faults    install faults: {"service":"s3","operation":"PutBucketPolicy","nth":1,"after":true},
//	                              {"throttle":0.3}, {"latency":"200ms"}, {"error":{"status":403,"code":"AccessDenied"}}, or a list
//	DELETE /_foundation/faults    remove every fault
//	GET    /_foundation/model     the latency and quota model, and how many calls it throttled
//	PUT    /_foundation/model     set it: "default" (AWS's figures) or {"default":true,"timeScale":0.05,...}
//	DELETE /_foundation/model     turn it off
//
// # Latency and quota model
//
// -model turns on the emulator's model of AWS's latency and quotas (off by
// default): calls take their latency, AWS's documented request rates per
// account are answered with each service's throttling error (which the SDKs
// and the CLI retry), CreateAccount requests beyond five in progress with
// TooManyRequestsException, and an account takes about a minute to create
// (on the emulator's clock, TimeScale times faster). "-model default" uses
// AWS's figures; a JSON object overrides them:
//
//	go run ./cmd/foundation-emulator -model '{"default":true,"timeScale":0.05}'
//	curl -s localhost:4566/_foundation/model     # the figures, their sources, and "throttled"
//
// # Walkthrough
//
// A fault that the next AWS CLI call receives, the call log, the snapshot and
// a reset, with curl. In one shell:
//
//	go run ./cmd/foundation-emulator
//
// In another (any credentials work, but the CLI wants some):
//
//	export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1
//	E=http://127.0.0.1:4566
//	TRUST='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}'
//
//	# fail the next iam:CreateRole with LimitExceeded (IAM sends it with 409)
//	curl -s -X POST -d '{"service":"iam","operation":"CreateRole","nth":1,"error":{"code":"LimitExceeded","message":"injected"}}' $E/_foundation/faults
//	aws --endpoint-url $E iam create-role --role-name demo --assume-role-policy-document "$TRUST"
//	#   An error occurred (LimitExceeded) when calling the CreateRole operation: injected   (exit status 254)
//	aws --endpoint-url $E iam create-role --role-name demo --assume-role-policy-document "$TRUST"
//	#   the role: nth 1 failed only the first matching call
//
//	curl -s $E/_foundation/faults     # the fault, "fired":1
//	curl -s $E/_foundation/calls      # CreateRole twice: "status":409,"error":"LimitExceeded", then "status":200
//	curl -s $E/_foundation/snapshot   # all state as canonical JSON, the role demo in it
//	curl -s -X POST $E/_foundation/reset
//	aws --endpoint-url $E iam get-role --role-name demo
//	#   An error occurred (NoSuchEntity) ...: the state, call log and faults are as at startup
//
// DELETE /_foundation/faults removes the faults and keeps the state.
// internal/emulator's TestAWSCLIControlAPI runs these steps with both AWS
// CLI versions (FOUNDATION_TEST_AWSCLI=1).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/awsfoundation/foundation/internal/emulator"
)

// controlHelp is the control API summary printed by -h.
const controlHelp = `
Control API (JSON, beside the AWS APIs):
  GET    /_foundation/health    {"status":"ok"}
  GET    /_foundation/info      {"managementAccountId":...,"version":...}
  POST   /_foundation/reset     fresh state, as at startup (-accounts recreated)
  GET    /_foundation/snapshot  canonical JSON snapshot of all state
  GET    /_foundation/calls     call log: [{service, operation, account, mutating, status, error, ...}]; ?since=N
  GET    /_foundation/faults    installed faults, with how often each fired
  POST   /_foundation/faults    install a fault or a list of them, with these fields:
                                service, operation, account, mutatingOnly: which calls match
                                nth: fail the Nth matching call; throttle: fail that fraction
                                error: {"status":403,"code":"AccessDenied","message":"..."}
                                after: apply the change, then fail; latency: "250ms"
  DELETE /_foundation/faults    remove every fault
  GET    /_foundation/model     latency and quota model, and the calls it throttled
  PUT    /_foundation/model     set it: "default" or {"default":true,"timeScale":0.05,"async":{"organizations:CreateAccount":"30s"}}
  DELETE /_foundation/model     turn it off

  curl -s -X POST localhost:4566/_foundation/reset
  curl -s -X POST -d '{"service":"s3","operation":"PutBucketPolicy","nth":1,"after":true}' localhost:4566/_foundation/faults
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	switch err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); {
	case errors.Is(err, flag.ErrHelp):
	case errors.Is(err, errUsage):
		os.Exit(2)
	case err != nil:
		fmt.Fprintln(os.Stderr, "foundation-emulator:", err)
		os.Exit(1)
	}
}

// errUsage is a command line the flag package already reported.
var errUsage = errors.New("usage")

// run serves the emulator until ctx ends.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	defaultAddr := "127.0.0.1:4566"
	if a := os.Getenv("FOUNDATION_EMULATOR_ADDR"); a != "" {
		defaultAddr = a
	}
	fs := flag.NewFlagSet("foundation-emulator", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		out := fs.Output()
		fmt.Fprintf(out, "Usage: foundation-emulator [flags]\n\nServes an in-memory AWS emulator (any credentials work).\n\nFlags:\n")
		fs.PrintDefaults()
		fmt.Fprint(out, controlHelp)
	}
	addr := fs.String("addr", defaultAddr, "address to listen on (host:port); $FOUNDATION_EMULATOR_ADDR sets the default. Only loopback addresses unless -allow-remote")
	allowRemote := fs.Bool("allow-remote", false, "allow an -addr that is not loopback (\":4566\", \"0.0.0.0:4566\", a LAN address): anyone who can reach it acts as any account, unsigned")
	account := fs.String("management-account", emulator.DefaultManagementAccountID, "management account ID")
	pageSize := fs.Int("page-size", 0, "page size of list operations (0: the emulator's small default)")
	dump := fs.Bool("dump", false, "print the state snapshot on exit")
	members := fs.String("accounts", "", "member account IDs to create, comma-separated, each with -access-role trusting the management account")
	accessRole := fs.String("access-role", "OrganizationAccountAccessRole", "access role created in each member account")
	identityCenter := fs.Bool("identity-center", true, "enable IAM Identity Center with the organization (a console step on AWS)")
	modelFlag := fs.String("model", "", `latency and quota model: "default" (AWS's figures) or JSON such as {"default":true,"timeScale":0.05}; empty: off`)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "unexpected arguments %q\n", fs.Args())
		fs.Usage()
		return errUsage
	}
	warning, err := checkAddr(*addr, *allowRemote)
	if err != nil {
		return err
	}

	var model *emulator.Model
	if *modelFlag != "" {
		if model, err = emulator.ParseModel([]byte(*modelFlag)); err != nil {
			return fmt.Errorf("-model: %w", err)
		}
	}
	e := emulator.New(emulator.Options{ManagementAccountID: *account, PageSize: *pageSize, IdentityCenter: *identityCenter, Model: model})
	if err := addMembers(e, *members, *accessRole); err != nil {
		return err
	}
	e.OnReset(func(e *emulator.Emulator) error { return addMembers(e, *members, *accessRole) })
	srv, err := emulator.Serve(e, *addr)
	if err != nil {
		return err
	}
	if warning != "" {
		fmt.Fprintln(stderr, warning)
	}
	fmt.Fprintf(stdout, "foundation emulator listening on %s (management account %s)\n", srv.URL, *account)

	<-ctx.Done()
	_ = srv.Close()
	if *dump {
		snap, err := srv.Snapshot()
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, string(snap))
	}
	return nil
}

// checkAddr refuses a listen address that is not loopback unless
// allowRemote, and then returns the warning to print: the emulator checks
// no signature, so whoever reaches it acts as any account (and can reset
// it, read every call or inject faults through the control API).
func checkAddr(addr string, allowRemote bool) (warning string, err error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("-addr %q: %w", addr, err)
	}
	if isLoopback(host) {
		return "", nil
	}
	where := "every interface"
	if host != "" && host != "0.0.0.0" && host != "::" {
		where = host
	}
	if !allowRemote {
		return "", fmt.Errorf("-addr %q listens on %s, not loopback: the emulator serves unsigned requests, so anyone who reaches it acts as any account; "+
			"use 127.0.0.1, or add -allow-remote to accept that (in a container, publish the port on the host's loopback: -p 127.0.0.1:4566:4566)", addr, where)
	}
	return fmt.Sprintf("WARNING: listening on %s (-allow-remote): the emulator serves unsigned requests from any host that reaches %s; "+
		"anyone there acts as any account and can reset, read or fault it through /_foundation/", where, addr), nil
}

// isLoopback reports whether host names only the loopback interface:
// "localhost" or a loopback IP (127.0.0.0/8, ::1).
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
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
