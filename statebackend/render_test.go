package statebackend

import (
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// parseHCL parses src with both HCL parsers and returns the syntax body.
func parseHCL(t *testing.T, src string) *hclsyntax.Body {
	t.Helper()
	if _, diags := hclwrite.ParseConfig([]byte(src), "x.hcl", hcl.InitialPos); diags.HasErrors() {
		t.Fatalf("hclwrite.ParseConfig: %v\n%s", diags, src)
	}
	f, diags := hclsyntax.ParseConfig([]byte(src), "x.hcl", hcl.InitialPos)
	if diags.HasErrors() {
		t.Fatalf("hclsyntax.ParseConfig: %v\n%s", diags, src)
	}
	return f.Body.(*hclsyntax.Body)
}

// evalAttrs evaluates every attribute of body, with Terragrunt's
// path_relative_to_include() returning "live/prod".
func evalAttrs(t *testing.T, body *hclsyntax.Body) map[string]cty.Value {
	t.Helper()
	ctx := &hcl.EvalContext{Functions: map[string]function.Function{
		"path_relative_to_include": function.New(&function.Spec{Type: function.StaticReturnType(cty.String),
			Impl: func([]cty.Value, cty.Type) (cty.Value, error) { return cty.StringVal("live/prod"), nil }}),
	}}
	out := map[string]cty.Value{}
	for name, a := range body.Attributes {
		v, diags := a.Expr.Value(ctx)
		if diags.HasErrors() {
			t.Fatalf("evaluate %s: %v", name, diags)
		}
		out[name] = v
	}
	return out
}

func strAttrs(v cty.Value) map[string]string {
	out := map[string]string{}
	for k, e := range v.AsValueMap() {
		switch e.Type() {
		case cty.String:
			out[k] = e.AsString()
		case cty.Bool:
			if e.True() {
				out[k] = "true"
			} else {
				out[k] = "false"
			}
		}
	}
	return out
}

func TestRenderEachLockingMode(t *testing.T) {
	const kms = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	cases := []struct {
		name string
		spec Spec
		want map[string]string // backend attributes besides bucket/key/region/encrypt
	}{
		{"lockfile", Spec{Bucket: "state-1", Region: "eu-west-1"}, map[string]string{"use_lockfile": "true"}},
		{"dynamodb", Spec{Bucket: "state-1", Region: "eu-west-1", Locking: LockDynamoDB, LockTable: "tf-locks"},
			map[string]string{"dynamodb_table": "tf-locks"}},
		{"both+kms", Spec{Bucket: "state-1", Region: "eu-west-1", Locking: LockBoth, LockTable: "tf-locks", KMSKeyID: kms},
			map[string]string{"use_lockfile": "true", "dynamodb_table": "tf-locks", "kms_key_id": kms}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := configFor(tc.spec.withDefaults())
			want := map[string]string{"bucket": "state-1", "key": "terraform.tfstate", "region": "eu-west-1", "encrypt": "true"}
			for k, v := range tc.want {
				want[k] = v
			}

			// Terraform: terraform { backend "s3" { ... } }
			tf := c.Terraform()
			body := parseHCL(t, tf)
			if len(body.Blocks) != 1 || body.Blocks[0].Type != "terraform" {
				t.Fatalf("want one terraform block:\n%s", tf)
			}
			be := body.Blocks[0].Body.Blocks
			if len(be) != 1 || be[0].Type != "backend" || len(be[0].Labels) != 1 || be[0].Labels[0] != "s3" {
				t.Fatalf("want one backend \"s3\" block:\n%s", tf)
			}
			got := map[string]string{}
			for k, v := range evalAttrs(t, be[0].Body) {
				got[k] = strAttrs(cty.ObjectVal(map[string]cty.Value{"v": v}))["v"]
			}
			assertAttrs(t, "terraform", got, want)

			// Terragrunt: remote_state { backend, generate, config }
			tg := c.Terragrunt()
			if strings.Contains(tg, "$${") {
				t.Errorf("interpolation escaped:\n%s", tg)
			}
			body = parseHCL(t, tg)
			if len(body.Blocks) != 1 || body.Blocks[0].Type != "remote_state" {
				t.Fatalf("want one remote_state block:\n%s", tg)
			}
			rs := body.Blocks[0].Body
			// The key is a real template calling path_relative_to_include().
			cfgExpr := rs.Attributes["config"].Expr.(*hclsyntax.ObjectConsExpr)
			var keyExpr hclsyntax.Expression
			for _, item := range cfgExpr.Items {
				if k, _ := item.KeyExpr.Value(nil); k.AsString() == "key" {
					keyExpr = item.ValueExpr
				}
			}
			tmpl, ok := keyExpr.(*hclsyntax.TemplateExpr)
			if !ok || len(tmpl.Parts) != 2 {
				t.Fatalf("key is %T, want a template with two parts", keyExpr)
			}
			if call, ok := tmpl.Parts[0].(*hclsyntax.FunctionCallExpr); !ok || call.Name != "path_relative_to_include" {
				t.Errorf("key template does not start with path_relative_to_include(): %#v", tmpl.Parts[0])
			}
			vals := evalAttrs(t, rs)
			if vals["backend"].AsString() != "s3" {
				t.Errorf("backend = %v", vals["backend"])
			}
			gen := strAttrs(vals["generate"])
			if gen["path"] != "backend.tf" || gen["if_exists"] != "overwrite_terragrunt" {
				t.Errorf("generate = %v", gen)
			}
			want["key"] = "live/prod/terraform.tfstate"
			want["disable_bucket_update"] = "true"
			assertAttrs(t, "terragrunt config", strAttrs(vals["config"]), want)
		})
	}
}

func assertAttrs(t *testing.T, what string, got, want map[string]string) {
	t.Helper()
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %s = %q, want %q", what, k, got[k], v)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("%s: unexpected attribute %s = %q", what, k, got[k])
		}
	}
}

func TestRenderEscapesKey(t *testing.T) {
	// A key with template characters and quotes stays a literal.
	c := BackendConfig{Bucket: "b-1", Key: `we"ird/${x}/%{y}/state`, Region: "us-east-1", UseLockfile: true}
	vals := evalAttrs(t, parseHCL(t, c.Terragrunt()).Blocks[0].Body)
	if got := strAttrs(vals["config"])["key"]; got != `live/prod/we"ird/${x}/%{y}/state` {
		t.Errorf("terragrunt key = %q", got)
	}
	body := parseHCL(t, c.Terraform())
	tfVals := evalAttrs(t, body.Blocks[0].Body.Blocks[0].Body)
	if got := tfVals["key"].AsString(); got != c.Key {
		t.Errorf("terraform key = %q", got)
	}
}

func TestRenderGolden(t *testing.T) {
	c := configFor(Spec{Bucket: "acme-state", Region: "eu-west-1", Locking: LockBoth, LockTable: "tf-locks"}.withDefaults())
	wantTF := `terraform {
  backend "s3" {
    bucket         = "acme-state"
    key            = "terraform.tfstate"
    region         = "eu-west-1"
    encrypt        = true
    use_lockfile   = true
    dynamodb_table = "tf-locks"
  }
}
`
	if got := c.Terraform(); got != wantTF {
		t.Errorf("Terraform() =\n%s\nwant\n%s", got, wantTF)
	}
	wantTG := `remote_state {
  backend = "s3"
  generate = {
    path      = "backend.tf"
    if_exists = "overwrite_terragrunt"
  }
  config = {
    bucket                = "acme-state"
    key                   = "${path_relative_to_include()}/terraform.tfstate"
    region                = "eu-west-1"
    encrypt               = true
    use_lockfile          = true
    dynamodb_table        = "tf-locks"
    disable_bucket_update = true
  }
}
`
	if got := c.Terragrunt(); got != wantTG {
		t.Errorf("Terragrunt() =\n%s\nwant\n%s", got, wantTG)
	}
}
