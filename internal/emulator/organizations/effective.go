package organizations

// PathLevel is one target on the path from the root to an account, with the
// policies of one type attached to it (see AuthorizationPath).
type PathLevel struct {
	Target string // "r-...", "ou-...", or the account ID
	Name   string // "Root", the OU's name, the account's name
	// Policies are the attached policies of the type, by ID.
	Policies []PathPolicy
}

// PathPolicy is one policy attached to a PathLevel.
type PathPolicy struct {
	ID, Name, ARN, Content string
	// Managed is true for the AWS managed full-access policy
	// (FullAWSAccess, RCPFullAWSAccess).
	Managed bool
}

// AuthorizationPath returns the levels from the root through each OU to
// the account, each with the policies of type typ ("SERVICE_CONTROL_POLICY",
// "RESOURCE_CONTROL_POLICY") attached to it. ok is false when the type is
// not enabled on the root or the account is not a member of o. Called with
// the emulator locked.
func (o *Organization) AuthorizationPath(account, typ string) (levels []PathLevel, ok bool) {
	m, member := o.members[account]
	if !member || !o.policyTypes[typ] {
		return nil, false
	}
	level := func(target string) PathLevel {
		_, name, _, _ := o.target(target)
		l := PathLevel{Target: target, Name: name}
		for _, pid := range o.attachedOfType(target, typ) {
			p, found := o.policy(pid)
			if !found {
				continue
			}
			l.Policies = append(l.Policies, PathPolicy{ID: p.id, Name: p.name, ARN: o.policyARN(p.id, typ),
				Content: p.content, Managed: orgIsManaged(p.id)})
		}
		return l
	}
	// The OUs from the account's parent up to the root, reversed.
	var ous []string
	for parent := m.parent; parent != o.rootID; {
		ou, found := o.ous[parent]
		if !found {
			break
		}
		ous = append(ous, parent)
		parent = ou.parent
	}
	levels = append(levels, level(o.rootID))
	for i := len(ous) - 1; i >= 0; i-- {
		levels = append(levels, level(ous[i]))
	}
	return append(levels, level(account)), true
}
