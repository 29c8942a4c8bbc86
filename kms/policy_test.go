package kms_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/kms"
)

func TestSeedPolicyIsReproducedExactly(t *testing.T) {
	spec := seedSpec(account, "prod", "us-east-1")
	doc, err := spec.Policy.Document()
	if err != nil {
		t.Fatal(err)
	}
	if got := doc.MustJSON(); got != seedPolicyJSON {
		t.Errorf("policy\n got %s\nwant %s", got, seedPolicyJSON)
	}
	if !doc.Equal(mustParse(t, seedPolicyJSON)) {
		t.Error("not Equal to the seed's policy")
	}
	roles := spec.Policy.ServiceLinkedRoles()
	if len(roles) != 1 || roles[0].AWSServiceName != "autoscaling.amazonaws.com" {
		t.Errorf("service-linked roles: %+v", roles)
	}
	// AWS's Sids have spaces: the IAM rule foundation.PolicyDocument.Validate
	// applies refuses them, which is why key policies are checked by kms.
	var pe *foundation.PolicyError
	if err := doc.Validate(); !errors.As(err, &pe) || !strings.Contains(err.Error(), "Enable IAM User Permissions") {
		t.Errorf("Validate = %v; expected it to refuse Sids with spaces", err)
	}
	if err := spec.Validate(); err != nil {
		t.Errorf("spec.Validate = %v", err)
	}
}

func TestStandardStatements(t *testing.T) {
	p := kms.KeyPolicy{
		AccountID:        "111122223333",
		Partition:        "aws-us-gov",
		Administrators:   []kms.Principal{kms.AWS("arn:aws-us-gov:iam::111122223333:role/KeyAdmin")},
		Users:            []kms.Principal{kms.AWS("arn:aws-us-gov:iam::111122223333:role/app"), kms.ServiceLinkedRole("autoscaling.amazonaws.com").WithSuffix("web")},
		UsersViaServices: []string{"ec2.us-gov-west-1.amazonaws.com"},
		Grants: []kms.Grant{{
			Sid: "Allow CloudWatch Logs", Principals: []kms.Principal{kms.Service("logs.us-gov-west-1.amazonaws.com")},
			Actions: []string{"kms:Encrypt*", "kms:Decrypt*", "kms:GenerateDataKey*", "kms:Describe*"}, SourceAccount: true,
			Condition: foundation.Conditions{"ArnLike": {"kms:EncryptionContext:aws:logs:arn": {"arn:aws-us-gov:logs:us-gov-west-1:111122223333:*"}}},
		}},
		Statements: []foundation.Statement{{Sid: "DenyOutsideOrg", Effect: foundation.EffectDeny, Principal: foundation.AnyPrincipal(),
			Action: foundation.Actions("kms:*"), Resource: foundation.Resources("*"),
			Condition: foundation.Conditions{"StringNotEquals": {"aws:PrincipalOrgID": {"o-abcdefghij"}}}}},
	}
	doc, err := p.Document()
	if err != nil {
		t.Fatal(err)
	}
	var sids []string
	for _, st := range doc.Statement {
		sids = append(sids, st.Sid)
	}
	want := []string{kms.SidEnableIAMUserPermissions, kms.SidKeyAdministrators, kms.SidKeyUsers, kms.SidAttachPersistentResources, "Allow CloudWatch Logs", "DenyOutsideOrg"}
	if !slices.Equal(sids, want) {
		t.Fatalf("sids %q, want %q", sids, want)
	}
	root, _ := doc.StatementBySid(kms.SidEnableIAMUserPermissions)
	if root.Principal.AWS[0] != "arn:aws-us-gov:iam::111122223333:root" {
		t.Errorf("root: %+v", root.Principal)
	}
	users, _ := doc.StatementBySid(kms.SidKeyUsers)
	if !slices.Equal(users.Principal.AWS, []string{"arn:aws-us-gov:iam::111122223333:role/app",
		"arn:aws-us-gov:iam::111122223333:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling_web"}) {
		t.Errorf("users: %v", users.Principal.AWS)
	}
	if users.Condition["StringEquals"]["kms:ViaService"][0] != "ec2.us-gov-west-1.amazonaws.com" {
		t.Errorf("users condition: %v", users.Condition)
	}
	attach, _ := doc.StatementBySid(kms.SidAttachPersistentResources)
	if attach.Condition["Bool"]["kms:GrantIsForAWSResource"][0] != "true" || !slices.Equal(attach.Action, kms.PersistentResourceActions) {
		t.Errorf("attachment statement: %+v", attach)
	}
	logs, _ := doc.StatementBySid("Allow CloudWatch Logs")
	if logs.Condition["StringEquals"]["aws:SourceAccount"][0] != "111122223333" || len(logs.Condition["ArnLike"]) != 1 {
		t.Errorf("grant condition: %v", logs.Condition)
	}
	if len(p.ServiceLinkedRoles()) != 1 || p.ServiceLinkedRoles()[0].CustomSuffix != "web" {
		t.Errorf("service-linked roles: %+v", p.ServiceLinkedRoles())
	}
	// The builder's input is not aliased by the document.
	doc.Statement[4].Condition["ArnLike"]["kms:EncryptionContext:aws:logs:arn"][0] = "changed"
	if p.Grants[0].Condition["ArnLike"]["kms:EncryptionContext:aws:logs:arn"][0] == "changed" {
		t.Error("the document shares the grant's condition")
	}
}

func TestPolicySizeLimit(t *testing.T) {
	p := kms.KeyPolicy{AccountID: account}
	for i := range 300 {
		p.Grants = append(p.Grants, kms.Grant{Sid: "grant " + strings.Repeat("x", 20) + string(rune('a'+i%26)) + strings.Repeat("y", i),
			Principals: []kms.Principal{kms.AWS("arn:aws:iam::123456789012:role/r")}, Actions: []string{"kms:Decrypt"}})
	}
	_, err := p.Document()
	if !errors.Is(err, foundation.ErrInvalidSpec) || !strings.Contains(err.Error(), "32768") {
		t.Fatalf("err = %v", err)
	}
}
