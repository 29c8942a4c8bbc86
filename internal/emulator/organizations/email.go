package organizations

// AccountEmail returns the email address (the root user's, the primary
// email) of account id in o, for the Account Management API's
// GetPrimaryEmail; ok is false when id is not in the organization. Called
// with the emulator locked.
func (o *Organization) AccountEmail(id string) (email string, ok bool) {
	m, ok := o.members[id]
	if !ok {
		return "", false
	}
	return m.email, true
}

// AccountName returns the name of account id in o; ok is false when id is
// not in the organization. Called with the emulator locked.
func (o *Organization) AccountName(id string) (name string, ok bool) {
	m, ok := o.members[id]
	if !ok {
		return "", false
	}
	return m.name, true
}

// SetAccountName renames account id in o, as the Account Management API's
// PutAccountName does (ListAccounts shows the new name); it reports whether
// id is in the organization. Called with the emulator locked.
func (o *Organization) SetAccountName(id, name string) bool {
	m, ok := o.members[id]
	if ok {
		m.name = name
	}
	return ok
}
