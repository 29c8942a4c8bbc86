package identitycenter

import (
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awsrules"
	"github.com/awsfoundation/foundation/internal/plan"
	"github.com/awsfoundation/foundation/internal/specerr"
)

var (
	permissionSetNameRe = regexp.MustCompile(`^[\w+=,.@-]+$`)
	userNameRe          = regexp.MustCompile(`^[\w+=,.@-]{1,128}$`)
	accountRe           = regexp.MustCompile(`^[0-9]{12}$`)
	regionRe            = regexp.MustCompile(`^[a-z]{2,4}(-[a-z]+)+-[0-9]{1,2}$`)
	managedPolicyARNRe  = regexp.MustCompile(`^arn:aws(-[a-z]+)*:iam::aws:policy/([\w+=,.@-]+/)*[\w+=,.@-]{1,128}$`)
	policyNameRe        = regexp.MustCompile(`^[\w+=,.@-]{1,128}$`)
	iamPathRe           = regexp.MustCompile(`^(/|/[\x21-\x7E]+/)$`)
	instanceARNRe       = regexp.MustCompile(`^arn:aws(-[a-z]+)*:sso:::instance/(sso)?ins-[a-zA-Z0-9-.]{16}$`)
	identityStoreIDRe   = regexp.MustCompile(`^(d-[0-9a-f]{10}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$`)
	descriptionRe       = regexp.MustCompile(`^[\t\n\r\x{20}-\x{7E}\x{A1}-\x{FF}]*$`)
)

// reservedUserNames cannot be used in the Identity Center directory.
var reservedUserNames = []string{"administrator", "awsadministrators"}

// faults collects validation failures.
type faults []error

func (f *faults) add(field, value, rule string) {
	*f = append(*f, specerr.New(pkg, field, value, rule))
}

func (f faults) err() error { return errors.Join(f...) }

// Validate reports every fault of the spec in one error matching
// foundation.ErrInvalidSpec. EnsureUser calls it before any API call.
func (s UserSpec) Validate() error {
	var f faults
	s.withDefaults().check(&f, "spec", true)
	return f.err()
}

func (s UserSpec) check(f *faults, path string, checkStore bool) {
	if checkStore {
		checkIdentityStoreID(f, path+".IdentityStoreID", s.IdentityStoreID)
	}
	switch {
	case s.UserName == "":
		f.add(path+".UserName", "", "is required")
	case !userNameRe.MatchString(s.UserName):
		f.add(path+".UserName", s.UserName, "must be 1 to 128 letters, digits and + = , . @ - _")
	case slices.Contains(reservedUserNames, strings.ToLower(s.UserName)):
		f.add(path+".UserName", s.UserName, "is reserved by IAM Identity Center")
	}
	for _, n := range []struct{ field, v string }{{"GivenName", s.GivenName}, {"FamilyName", s.FamilyName}} {
		switch {
		case n.v == "":
			f.add(path+"."+n.field, "", "is required (the Identity Center directory requires given and family names)")
		case utf8.RuneCountInString(n.v) > 256 || !printable(n.v):
			f.add(path+"."+n.field, n.v, "must be at most 256 printable characters")
		}
	}
	if utf8.RuneCountInString(s.DisplayName) > 1024 || !printable(s.DisplayName) {
		f.add(path+".DisplayName", s.DisplayName, "must be at most 1024 printable characters")
	}
	if s.Email != "" {
		if a, err := mail.ParseAddress(s.Email); err != nil || a.Address != s.Email || a.Name != "" ||
			!strings.Contains(s.Email[strings.LastIndex(s.Email, "@")+1:], ".") || len(s.Email) > 128 {
			f.add(path+".Email", s.Email, "must be a plain email address such as alice@example.com")
		}
	}
}

// Validate reports every fault of the spec in one error matching
// foundation.ErrInvalidSpec.
func (s GroupSpec) Validate() error {
	var f faults
	s.check(&f, "spec", true)
	return f.err()
}

func (s GroupSpec) check(f *faults, path string, checkStore bool) {
	if checkStore {
		checkIdentityStoreID(f, path+".IdentityStoreID", s.IdentityStoreID)
	}
	checkGroupName(f, path+".DisplayName", s.DisplayName)
	if utf8.RuneCountInString(s.Description) > 1024 || !printable(s.Description) {
		f.add(path+".Description", s.Description, "must be at most 1024 printable characters")
	}
	seen := map[string]bool{}
	for i, m := range s.Members {
		field := fmt.Sprintf("%s.Members[%d]", path, i)
		switch {
		case !userNameRe.MatchString(m):
			f.add(field, m, "must be a user name (1 to 128 letters, digits and + = , . @ - _)")
		case seen[m]:
			f.add(field, m, "is listed twice")
		}
		seen[m] = true
	}
}

// Validate reports every fault of the spec in one error matching
// foundation.ErrInvalidSpec.
func (s MembershipSpec) Validate() error {
	var f faults
	checkIdentityStoreID(&f, "spec.IdentityStoreID", s.IdentityStoreID)
	checkGroupName(&f, "spec.GroupName", s.GroupName)
	if !userNameRe.MatchString(s.UserName) {
		f.add("spec.UserName", s.UserName, "must be a user name (1 to 128 letters, digits and + = , . @ - _)")
	}
	return f.err()
}

func checkGroupName(f *faults, field, name string) {
	switch {
	case name == "":
		f.add(field, "", "is required")
	case utf8.RuneCountInString(name) > 1024 || !printable(name) || strings.TrimSpace(name) != name:
		f.add(field, name, "must be at most 1024 printable characters without leading or trailing spaces")
	}
}

func checkIdentityStoreID(f *faults, field, id string) {
	if id != "" && !identityStoreIDRe.MatchString(id) {
		f.add(field, id, `must be an identity store ID such as "d-1234567890"`)
	}
}

func checkInstanceARN(f *faults, field, arn string) {
	if arn != "" && !instanceARNRe.MatchString(arn) {
		f.add(field, arn, `must be an instance ARN such as "arn:aws:sso:::instance/ssoins-1234567890abcdef"`)
	}
}

func checkPermissionSetName(f *faults, field, name string) {
	switch {
	case name == "":
		f.add(field, "", "is required")
	case len(name) > MaxPermissionSetNameLen:
		f.add(field, name, fmt.Sprintf("must be at most %d characters, is %d", MaxPermissionSetNameLen, len(name)))
	case !permissionSetNameRe.MatchString(name):
		f.add(field, name, "must contain only letters, digits and + = , . @ - _")
	}
}

// Validate reports every fault of the spec (defaults applied) in one error
// matching foundation.ErrInvalidSpec.
func (s PermissionSetSpec) Validate() error {
	var f faults
	s.withDefaults().check(&f, "spec", true)
	return f.err()
}

func (s PermissionSetSpec) check(f *faults, path string, checkInstance bool) {
	if checkInstance {
		checkInstanceARN(f, path+".InstanceARN", s.InstanceARN)
	}
	checkPermissionSetName(f, path+".Name", s.Name)
	switch {
	case len(s.Description) > MaxDescriptionLen:
		f.add(path+".Description", "", fmt.Sprintf("must be at most %d characters, is %d", MaxDescriptionLen, len(s.Description)))
	case !descriptionRe.MatchString(s.Description):
		f.add(path+".Description", s.Description, "may contain only printable Latin-1 characters, tabs and newlines")
	}
	switch d := s.SessionDuration; {
	case d < MinSessionDuration || d > MaxSessionDuration:
		f.add(path+".SessionDuration", d.String(), "must be between 1 and 12 hours")
	case d%time.Second != 0:
		f.add(path+".SessionDuration", d.String(), "must be a whole number of seconds")
	}
	if s.RelayState != "" {
		u, err := url.Parse(s.RelayState)
		switch {
		case len(s.RelayState) > MaxRelayStateLen:
			f.add(path+".RelayState", s.RelayState, fmt.Sprintf("must be at most %d characters", MaxRelayStateLen))
		case err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil || strings.ContainsAny(s.RelayState, " \t\r\n"):
			f.add(path+".RelayState", s.RelayState, `must be an https URL such as "https://console.aws.amazon.com/ec2/"`)
		}
	}
	if n := len(s.ManagedPolicies) + len(s.CustomerManagedPolicies); n > MaxPolicyAttachments {
		f.add(path+".ManagedPolicies", "", fmt.Sprintf("a permission set can have at most %d AWS managed and customer managed policies, the spec has %d", MaxPolicyAttachments, n))
	}
	seen := map[string]bool{}
	for i, arn := range s.ManagedPolicies {
		field := fmt.Sprintf("%s.ManagedPolicies[%d]", path, i)
		switch {
		case !managedPolicyARNRe.MatchString(arn):
			f.add(field, arn, `must be an AWS managed policy ARN such as "arn:aws:iam::aws:policy/ReadOnlyAccess"`)
		case seen[arn]:
			f.add(field, arn, "is listed twice")
		}
		seen[arn] = true
	}
	for i, c := range s.CustomerManagedPolicies {
		field := fmt.Sprintf("%s.CustomerManagedPolicies[%d]", path, i)
		checkCustomerManaged(f, field, c)
		if seen["cm:"+c.String()] {
			f.add(field, c.String(), "is listed twice")
		}
		seen["cm:"+c.String()] = true
	}
	if d := s.InlinePolicy; d != nil {
		checkInlinePolicy(f, path+".InlinePolicy", d)
	}
	if b := s.PermissionsBoundary; b != nil {
		field := path + ".PermissionsBoundary"
		switch {
		case (b.ManagedPolicyARN == "") == (b.CustomerManagedPolicy == nil):
			f.add(field, "", "must set exactly one of ManagedPolicyARN and CustomerManagedPolicy")
		case b.CustomerManagedPolicy != nil:
			checkCustomerManaged(f, field+".CustomerManagedPolicy", *b.CustomerManagedPolicy)
		case !managedPolicyARNRe.MatchString(b.ManagedPolicyARN):
			f.add(field+".ManagedPolicyARN", b.ManagedPolicyARN, `must be an AWS managed policy ARN such as "arn:aws:iam::aws:policy/PowerUserAccess"`)
		}
	}
	*f = append(*f, awsrules.OwnedTagFaults(pkg, path+".Tags", s.Tags, MaxTags)...)
	if s.Adopt && s.Tags[foundation.ManagedByTagKey] != "" {
		f.add(path+".Tags", "", "must not set "+foundation.ManagedByTagKey+" on a permission set it adopts (it stays its owner's)")
	}
}

func checkCustomerManaged(f *faults, field string, c CustomerManagedPolicy) {
	c = c.withDefaults()
	if !policyNameRe.MatchString(c.Name) {
		f.add(field+".Name", c.Name, "must be 1 to 128 letters, digits and + = , . @ - _")
	}
	if len(c.Path) > 512 || !iamPathRe.MatchString(c.Path) {
		f.add(field+".Path", c.Path, `must start and end with "/" (such as "/" or "/team/"), at most 512 characters`)
	}
}

func checkInlinePolicy(f *faults, field string, d *foundation.PolicyDocument) {
	if err := d.Validate(); err != nil {
		f.add(field, "", err.Error())
		return
	}
	for i, st := range d.Statement {
		if st.Principal != nil || st.NotPrincipal != nil {
			f.add(fmt.Sprintf("%s.Statement[%d]", field, i), "", "an inline (identity) policy must not have a Principal or NotPrincipal")
		}
		if len(st.Resource) == 0 && len(st.NotResource) == 0 {
			f.add(fmt.Sprintf("%s.Statement[%d]", field, i), "", "an inline (identity) policy statement needs a Resource or NotResource")
		}
	}
	js, err := d.JSON()
	if err != nil {
		f.add(field, "", err.Error())
		return
	}
	if n := utf8.RuneCountInString(js); n > MaxInlinePolicySize {
		f.add(field, "", fmt.Sprintf("must be at most %d characters minified, is %d", MaxInlinePolicySize, n))
	}
}

func printable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return false
		}
	}
	return true
}

// checkAccount checks an account ID; planning says the call is a dry run,
// where an account ID predicted by organizations' dry run is accepted.
func checkAccount(f *faults, field, id string, planning bool) {
	switch {
	case plan.IsPredicted(id):
		if !planning {
			f.add(field, id, "is an account ID a dry run predicted, not an account's: a real run needs the ID of an account that exists")
		}
	case !accountRe.MatchString(id):
		f.add(field, id, "must be a 12-digit account ID")
	}
}

// Validate reports every fault of the spec in one error matching
// foundation.ErrInvalidSpec. A principal or permission set that does not
// exist is not a fault of the spec: EnsureAssignments reports it after
// looking it up. Validate checks the spec for a real run: an account ID
// predicted by a dry run is refused (EnsureAssignments accepts it in a dry
// run).
func (s AssignmentsSpec) Validate() error { return s.faults(false).err() }

func (s AssignmentsSpec) faults(planning bool) faults {
	var f faults
	checkInstanceARN(&f, "spec.InstanceARN", s.InstanceARN)
	checkIdentityStoreID(&f, "spec.IdentityStoreID", s.IdentityStoreID)
	checkAssignments(&f, s.Assignments, s.Prune, s.PruneAccounts, planning)
	return f
}

func checkAssignments(f *faults, as []AssignmentSpec, prune bool, pruneAccounts []string, planning bool) {
	for i, a := range as {
		path := fmt.Sprintf("spec.Assignments[%d]", i)
		if len(a.Principals) == 0 {
			f.add(path+".Principals", "", "must name at least one group or user")
		}
		if len(a.PermissionSets) == 0 {
			f.add(path+".PermissionSets", "", "must name at least one permission set")
		}
		if len(a.Accounts) == 0 {
			f.add(path+".Accounts", "", "must list at least one account")
		}
		for j, p := range a.Principals {
			field := fmt.Sprintf("%s.Principals[%d]", path, j)
			switch p.Type {
			case PrincipalGroup:
				checkGroupName(f, field+".Name", p.Name)
			case PrincipalUser:
				if !userNameRe.MatchString(p.Name) {
					f.add(field+".Name", p.Name, "must be a user name (1 to 128 letters, digits and + = , . @ - _)")
				}
			default:
				f.add(field+".Type", string(p.Type), "must be PrincipalGroup or PrincipalUser")
			}
		}
		for j, n := range a.PermissionSets {
			checkPermissionSetName(f, fmt.Sprintf("%s.PermissionSets[%d]", path, j), n)
		}
		for j, id := range a.Accounts {
			checkAccount(f, fmt.Sprintf("%s.Accounts[%d]", path, j), id, planning)
		}
	}
	if len(pruneAccounts) > 0 && !prune {
		f.add("spec.PruneAccounts", "", "is only used with Prune")
	}
	for j, id := range pruneAccounts {
		checkAccount(f, fmt.Sprintf("spec.PruneAccounts[%d]", j), id, planning)
	}
}

// Validate reports every fault of the spec in one error matching
// foundation.ErrInvalidSpec, including references to principals and
// permission sets the spec does not declare. It checks the spec for a real
// run: an account ID predicted by a dry run is refused (EnsureAccess
// accepts it in a dry run).
func (s AccessSpec) Validate() error {
	return s.faults(false).err()
}

// faults checks the spec; planning says the call is a dry run.
func (s AccessSpec) faults(planning bool) faults {
	var f faults
	checkInstanceARN(&f, "spec.InstanceARN", s.InstanceARN)
	checkIdentityStoreID(&f, "spec.IdentityStoreID", s.IdentityStoreID)
	users, groups, sets := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for i, u := range s.Users {
		path := fmt.Sprintf("spec.Users[%d]", i)
		u.withDefaults().check(&f, path, false)
		if users[u.UserName] {
			f.add(path+".UserName", u.UserName, "is declared twice")
		}
		users[u.UserName] = true
	}
	for i, g := range s.Groups {
		path := fmt.Sprintf("spec.Groups[%d]", i)
		g.check(&f, path, false)
		if groups[g.DisplayName] {
			f.add(path+".DisplayName", g.DisplayName, "is declared twice")
		}
		groups[g.DisplayName] = true
		for j, m := range g.Members {
			if !users[m] && userNameRe.MatchString(m) {
				f.add(fmt.Sprintf("%s.Members[%d]", path, j), m, "is not a user declared in spec.Users")
			}
		}
	}
	for i, p := range s.PermissionSets {
		path := fmt.Sprintf("spec.PermissionSets[%d]", i)
		p.withDefaults().check(&f, path, false)
		if sets[p.Name] {
			f.add(path+".Name", p.Name, "is declared twice")
		}
		sets[p.Name] = true
	}
	checkAssignments(&f, s.Assignments, s.Prune, s.PruneAccounts, planning)
	for i, a := range s.Assignments {
		for j, p := range a.Principals {
			field := fmt.Sprintf("spec.Assignments[%d].Principals[%d]", i, j)
			switch {
			case p.Type == PrincipalGroup && !groups[p.Name]:
				f.add(field, p.Name, "unknown principal: not a group declared in spec.Groups")
			case p.Type == PrincipalUser && !users[p.Name]:
				f.add(field, p.Name, "unknown principal: not a user declared in spec.Users")
			}
		}
		for j, n := range a.PermissionSets {
			if !sets[n] {
				f.add(fmt.Sprintf("spec.Assignments[%d].PermissionSets[%d]", i, j), n, "is not a permission set declared in spec.PermissionSets")
			}
		}
	}
	return f
}
