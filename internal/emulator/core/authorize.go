package core

import "net/http"

// Authorizer decides whether a request may be served: it runs after the
// caller is identified and before the request's faults and handler, with
// the emulator locked, and returns nil to let the request through or the
// error to answer with (Ctx.AccessDenied). The organization's SCPs and
// RCPs are enforced through one (internal/emulator/organizations).
type Authorizer func(c *Ctx) *APIError

// authorizers are the Authorizers registered with OnAuthorize, in order.
var authorizers []Authorizer

// OnAuthorize adds an Authorizer to every emulator. Call it from an init
// function, as Register.
func OnAuthorize(f Authorizer) { authorizers = append(authorizers, f) }

// authorize runs the Authorizers; the first error decides. Called with
// e.mu held.
func (e *Emulator) authorize(c *Ctx) *APIError {
	for _, f := range authorizers {
		if err := f(c); err != nil {
			return err
		}
	}
	return nil
}

// Service is the name of the service serving the request ("s3",
// "s3control", "sso", ...).
func (c *Ctx) Service() string { return c.svc.Name }

// AccessDenied is the error a service answers an unauthorized request
// with: AccessDenied with HTTP 403 for the query and REST-XML protocols
// (IAM, STS, S3, S3 Control), AccessDeniedException for the JSON
// protocols, with the status of the service's table (ErrorStatuses), 400
// when it has none (KMS, DynamoDB, ECR and Organizations send 400).
func (c *Ctx) AccessDenied(message string) *APIError {
	switch c.svc.Protocol {
	case AWSJSON10, AWSJSON11:
		status := http.StatusBadRequest
		if st, ok := c.svc.Statuses["AccessDeniedException"]; ok {
			status = st
		}
		return &APIError{Status: status, Code: "AccessDeniedException", Message: message}
	}
	return &APIError{Status: http.StatusForbidden, Code: "AccessDenied", Message: message}
}
