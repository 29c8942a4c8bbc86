package statebackend

import (
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"
)

// BackendConfig is the configuration of Terraform's "s3" backend for a
// bootstrapped state backend. Render it with Terraform or Terragrunt.
type BackendConfig struct {
	Bucket string
	// Key is the state object's key.
	Key    string
	Region string
	// KMSKeyID is the key that encrypts the state with SSE-KMS; "" for
	// SSE-S3.
	KMSKeyID string
	// UseLockfile enables Terraform's S3 lock file (use_lockfile).
	UseLockfile bool
	// DynamoDBTable is the lock table (dynamodb_table), "" for none.
	DynamoDBTable string
}

func configFor(s Spec) BackendConfig {
	c := BackendConfig{Bucket: s.Bucket, Key: s.Key, Region: s.Region, KMSKeyID: s.KMSKeyID, UseLockfile: s.Locking.usesLockfile()}
	if s.Locking.usesTable() {
		c.DynamoDBTable = s.LockTable
	}
	return c
}

// setBackendAttrs writes the attributes shared by both renderings after
// bucket and key.
func (c BackendConfig) setBackendAttrs(body *hclwrite.Body) {
	body.SetAttributeValue("region", cty.StringVal(c.Region))
	body.SetAttributeValue("encrypt", cty.True)
	if c.KMSKeyID != "" {
		body.SetAttributeValue("kms_key_id", cty.StringVal(c.KMSKeyID))
	}
	if c.UseLockfile {
		body.SetAttributeValue("use_lockfile", cty.True)
	}
	if c.DynamoDBTable != "" {
		body.SetAttributeValue("dynamodb_table", cty.StringVal(c.DynamoDBTable))
	}
}

// Terraform renders the backend as a Terraform (or OpenTofu) configuration
// block:
//
//	terraform {
//	  backend "s3" {
//	    bucket       = "state-123"
//	    key          = "terraform.tfstate"
//	    region       = "eu-west-1"
//	    encrypt      = true
//	    use_lockfile = true
//	  }
//	}
func (c BackendConfig) Terraform() string {
	f := hclwrite.NewEmptyFile()
	tf := f.Body().AppendNewBlock("terraform", nil)
	be := tf.Body().AppendNewBlock("backend", []string{"s3"}).Body()
	be.SetAttributeValue("bucket", cty.StringVal(c.Bucket))
	be.SetAttributeValue("key", cty.StringVal(c.Key))
	c.setBackendAttrs(be)
	return string(hclwrite.Format(f.Bytes()))
}

// Terragrunt renders the backend as a Terragrunt remote_state block for a
// root terragrunt.hcl: each unit's state goes under its path relative to the
// root ("${path_relative_to_include()}/KEY"), and disable_bucket_update
// stops Terragrunt from changing the bucket Bootstrap hardened.
//
//	remote_state {
//	  backend = "s3"
//	  generate = {
//	    path      = "backend.tf"
//	    if_exists = "overwrite_terragrunt"
//	  }
//	  config = {
//	    bucket                = "state-123"
//	    key                   = "${path_relative_to_include()}/terraform.tfstate"
//	    region                = "eu-west-1"
//	    encrypt               = true
//	    use_lockfile          = true
//	    disable_bucket_update = true
//	  }
//	}
func (c BackendConfig) Terragrunt() string {
	f := hclwrite.NewEmptyFile()
	rs := f.Body().AppendNewBlock("remote_state", nil).Body()
	rs.SetAttributeValue("backend", cty.StringVal("s3"))
	rs.SetAttributeRaw("generate", hclwrite.TokensForObject([]hclwrite.ObjectAttrTokens{
		{Name: hclwrite.TokensForIdentifier("path"), Value: hclwrite.TokensForValue(cty.StringVal("backend.tf"))},
		{Name: hclwrite.TokensForIdentifier("if_exists"), Value: hclwrite.TokensForValue(cty.StringVal("overwrite_terragrunt"))},
	}))

	// The config object is built in a scratch body so that the attributes
	// get hclwrite's formatting, then turned into object tokens.
	scratch := hclwrite.NewEmptyFile().Body()
	scratch.SetAttributeValue("bucket", cty.StringVal(c.Bucket))
	scratch.SetAttributeRaw("key", relativeKeyTokens(c.Key))
	c.setBackendAttrs(scratch)
	scratch.SetAttributeValue("disable_bucket_update", cty.True)
	var attrs []hclwrite.ObjectAttrTokens
	for _, name := range []string{"bucket", "key", "region", "encrypt", "kms_key_id", "use_lockfile", "dynamodb_table", "disable_bucket_update"} {
		if a := scratch.GetAttribute(name); a != nil {
			attrs = append(attrs, hclwrite.ObjectAttrTokens{Name: hclwrite.TokensForIdentifier(name), Value: a.Expr().BuildTokens(nil)})
		}
	}
	rs.SetAttributeRaw("config", hclwrite.TokensForObject(attrs))
	return string(hclwrite.Format(f.Bytes()))
}

// relativeKeyTokens builds the template "${path_relative_to_include()}/KEY":
// a real interpolation, with KEY escaped as a template literal.
func relativeKeyTokens(key string) hclwrite.Tokens {
	lit := hclwrite.TokensForValue(cty.StringVal("/" + key)) // OQuote, QuotedLit (escaped), CQuote
	toks := hclwrite.Tokens{
		{Type: hclsyntax.TokenOQuote, Bytes: []byte(`"`)},
		{Type: hclsyntax.TokenTemplateInterp, Bytes: []byte(`${`)},
		{Type: hclsyntax.TokenIdent, Bytes: []byte("path_relative_to_include")},
		{Type: hclsyntax.TokenOParen, Bytes: []byte("(")},
		{Type: hclsyntax.TokenCParen, Bytes: []byte(")")},
		{Type: hclsyntax.TokenTemplateSeqEnd, Bytes: []byte("}")},
	}
	for _, t := range lit {
		if t.Type == hclsyntax.TokenQuotedLit {
			toks = append(toks, t)
		}
	}
	return append(toks, &hclwrite.Token{Type: hclsyntax.TokenCQuote, Bytes: []byte(`"`)})
}
