package identitycenter_test

import (
	"fmt"
	"log"

	"github.com/awsfoundation/foundation/identitycenter"
)

// Render seed 000's ~/.aws/config: one sso-session and a profile per
// account and region, named <project>-<env>-<short region>.
func ExampleRenderConfig() {
	spec := identitycenter.ConfigSpec{
		Session: identitycenter.SSOSession{
			Name: "admin", StartURL: "https://your-id.awsapps.com/start", Region: "us-east-1",
		},
		Template: "{{.Project}}-{{.Env}}-{{.RegionShort}}",
		Project:  "myapp",
		Profiles: []identitycenter.ProfileSpec{
			{AccountID: "591120834781", Env: "prod", PermissionSets: []string{"AdministratorAccess"}, Regions: []string{"us-east-1", "us-west-2"}},
			{AccountID: "557702566877", Env: "dev", PermissionSets: []string{"AdministratorAccess"}, Regions: []string{"us-east-1"}},
		},
	}
	out, err := identitycenter.RenderConfig(spec)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(string(out))
	// Output:
	// [sso-session admin]
	// sso_start_url           = https://your-id.awsapps.com/start
	// sso_region              = us-east-1
	// sso_registration_scopes = sso:account:access
	// managed_by              = foundation
	//
	// [profile myapp-prod-use1]
	// sso_session    = admin
	// sso_account_id = 591120834781
	// sso_role_name  = AdministratorAccess
	// region         = us-east-1
	// output         = json
	// managed_by     = foundation
	//
	// [profile myapp-prod-usw2]
	// sso_session    = admin
	// sso_account_id = 591120834781
	// sso_role_name  = AdministratorAccess
	// region         = us-west-2
	// output         = json
	// managed_by     = foundation
	//
	// [profile myapp-dev-use1]
	// sso_session    = admin
	// sso_account_id = 557702566877
	// sso_role_name  = AdministratorAccess
	// region         = us-east-1
	// output         = json
	// managed_by     = foundation
}

// Merge generated profiles into an existing file: the hand-written profile
// and the comments stay; named <product>_<env>_<user> as in seed 003.
func ExampleMergeConfig() {
	existing := []byte(`# my personal settings
[profile legacy]
region = eu-west-1
`)
	spec := identitycenter.ConfigSpec{
		Session:  identitycenter.SSOSession{Name: "autochart", StartURL: "https://d-1234567890.awsapps.com/start", Region: "eu-west-1"},
		Template: "{{.Project}}_{{.Env}}_{{.User}}",
		Project:  "autochart", User: "paul",
		Profiles: []identitycenter.ProfileSpec{
			{AccountID: "111122223333", Env: "dev", PermissionSets: []string{"AdministratorAccess"}, Regions: []string{"eu-west-1"}},
			{AccountID: "444455556666", Env: "prod", PermissionSets: []string{"AdministratorAccess"}, Regions: []string{"eu-west-1"}},
		},
	}
	out, err := identitycenter.MergeConfig(existing, spec, true)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(string(out))
	// Output:
	// # my personal settings
	// [profile legacy]
	// region = eu-west-1
	//
	// [sso-session autochart]
	// sso_start_url           = https://d-1234567890.awsapps.com/start
	// sso_region              = eu-west-1
	// sso_registration_scopes = sso:account:access
	// managed_by              = foundation
	//
	// [profile autochart_dev_paul]
	// sso_session    = autochart
	// sso_account_id = 111122223333
	// sso_role_name  = AdministratorAccess
	// region         = eu-west-1
	// output         = json
	// managed_by     = foundation
	//
	// [profile autochart_prod_paul]
	// sso_session    = autochart
	// sso_account_id = 444455556666
	// sso_role_name  = AdministratorAccess
	// region         = eu-west-1
	// output         = json
	// managed_by     = foundation
}
