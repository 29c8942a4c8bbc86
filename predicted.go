package foundation

import "strings"

// predictedPrefix starts every predicted identifier.
const predictedPrefix = "(known after apply: "

// PredictedID returns the placeholder a dry run reports for an identifier
// AWS assigns only when it creates the resource (a key ARN, a policy ID, an
// account ID): "(known after apply: kms key alias/state)". kind and name
// say which resource. Ensure functions return such placeholders from a dry
// run where a real run returns the new resource's identifier, so the
// result can be handed to the next call of the same dry run.
func PredictedID(kind, name string) string {
	return predictedPrefix + kind + " " + name + ")"
}

// IsPredicted reports whether id is a placeholder made by PredictedID. A
// function given one in a dry run plans as if the resource existed and had
// nothing attached yet; in a real run a predicted identifier is an invalid
// spec (a dry run's result reached a real run). A program that branches on
// whether something exists yet tests IsPredicted, not id == "".
func IsPredicted(id string) bool {
	return strings.HasPrefix(id, predictedPrefix) && strings.HasSuffix(id, ")")
}
