package ecr

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/awsfoundation/foundation/internal/specerr"
)

// TagStatus selects the images a lifecycle rule applies to.
type TagStatus string

// The tag statuses ECR accepts.
const (
	TagStatusTagged   TagStatus = "tagged"
	TagStatusUntagged TagStatus = "untagged"
	TagStatusAny      TagStatus = "any"
)

// CountType is how a lifecycle rule counts the images it expires.
type CountType string

// The count types of expire rules.
const (
	// CountImagesMoreThan keeps the CountNumber most recently pushed
	// images and expires the others.
	CountImagesMoreThan CountType = "imageCountMoreThan"
	// CountDaysSincePushed expires images pushed more than CountNumber days ago.
	CountDaysSincePushed CountType = "sinceImagePushed"
	// CountDaysSincePulled expires images last pulled more than CountNumber
	// days ago.
	CountDaysSincePulled CountType = "sinceImagePulled"
)

// Limits of lifecycle policies.
const (
	minLifecycleText = 100
	maxLifecycleText = 30720
	maxPatternStars  = 4
)

// LifecycleRule is one rule of a lifecycle policy; its action is always
// "expire". Build the usual ones with KeepLastTagged, ExpireUntaggedAfter,
// ExpireTaggedAfter and KeepLast.
type LifecycleRule struct {
	// Priority orders the rules: lower first, unique, at least 1. A rule
	// with TagStatusAny must have the highest priority.
	Priority int
	// Description is shown in the console (optional).
	Description string
	// TagStatus selects tagged, untagged or any images.
	TagStatus TagStatus
	// TagPrefixes or TagPatterns (exactly one, with TagStatusTagged only)
	// select tagged images by tag prefix ("sha-") or wildcard pattern
	// ("prod*", at most 4 "*").
	TagPrefixes []string
	TagPatterns []string
	// CountType and CountNumber: keep CountNumber images
	// (CountImagesMoreThan), or expire images older than CountNumber days.
	CountType   CountType
	CountNumber int
}

// KeepLastTagged keeps the last count images whose tags start with one of
// prefixes and expires the older ones: "Keep last 30 tagged images".
func KeepLastTagged(priority, count int, prefixes ...string) LifecycleRule {
	return LifecycleRule{Priority: priority, Description: fmt.Sprintf("Keep last %d tagged images", count),
		TagStatus: TagStatusTagged, TagPrefixes: prefixes, CountType: CountImagesMoreThan, CountNumber: count}
}

// ExpireUntaggedAfter expires untagged images pushed more than days ago:
// "Delete untagged images after 1 day".
func ExpireUntaggedAfter(priority, days int) LifecycleRule {
	return LifecycleRule{Priority: priority, Description: "Delete untagged images after " + plural(days, "day"),
		TagStatus: TagStatusUntagged, CountType: CountDaysSincePushed, CountNumber: days}
}

// ExpireTaggedAfter expires images whose tags start with one of prefixes
// pushed more than days ago.
func ExpireTaggedAfter(priority, days int, prefixes ...string) LifecycleRule {
	return LifecycleRule{Priority: priority, Description: "Delete tagged images after " + plural(days, "day"),
		TagStatus: TagStatusTagged, TagPrefixes: prefixes, CountType: CountDaysSincePushed, CountNumber: days}
}

// KeepLast keeps the last count images, tagged or not, and expires the
// others. As a TagStatusAny rule it must have the highest priority.
func KeepLast(priority, count int) LifecycleRule {
	return LifecycleRule{Priority: priority, Description: fmt.Sprintf("Keep last %d images", count),
		TagStatus: TagStatusAny, CountType: CountImagesMoreThan, CountNumber: count}
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

// LifecyclePolicy is a repository's lifecycle policy. EnsureRepository
// makes the repository's policy exactly this one (compared by meaning).
type LifecyclePolicy struct {
	Rules []LifecycleRule
}

// The JSON ECR expects, field order as AWS documents it.
type lcDoc struct {
	Rules []lcRule `json:"rules"`
}

type lcRule struct {
	RulePriority int         `json:"rulePriority"`
	Description  string      `json:"description,omitempty"`
	Selection    lcSelection `json:"selection"`
	Action       lcAction    `json:"action"`
}

type lcSelection struct {
	TagStatus      string   `json:"tagStatus"`
	TagPrefixList  []string `json:"tagPrefixList,omitempty"`
	TagPatternList []string `json:"tagPatternList,omitempty"`
	CountType      string   `json:"countType"`
	CountUnit      string   `json:"countUnit,omitempty"`
	CountNumber    int      `json:"countNumber"`
	StorageClass   string   `json:"storageClass,omitempty"`
}

type lcAction struct {
	Type               string `json:"type"`
	TargetStorageClass string `json:"targetStorageClass,omitempty"`
}

// JSON renders the policy as ECR expects it. It validates the policy
// first: an invalid one returns an error matching foundation.ErrInvalidSpec.
func (p LifecyclePolicy) JSON() (string, error) {
	if errs := p.faults("policy"); len(errs) > 0 {
		return "", errors.Join(errs...)
	}
	return p.render(), nil
}

func (p LifecyclePolicy) doc() lcDoc {
	d := lcDoc{Rules: []lcRule{}}
	for _, r := range p.Rules {
		sel := lcSelection{TagStatus: string(r.TagStatus), TagPrefixList: r.TagPrefixes, TagPatternList: r.TagPatterns,
			CountType: string(r.CountType), CountNumber: r.CountNumber}
		if r.CountType != CountImagesMoreThan {
			sel.CountUnit = "days"
		}
		d.Rules = append(d.Rules, lcRule{RulePriority: r.Priority, Description: r.Description, Selection: sel, Action: lcAction{Type: "expire"}})
	}
	return d
}

func (p LifecyclePolicy) render() string { return marshal(p.doc()) }

func marshal(v any) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v) // the types of this file always marshal
	return strings.TrimSpace(buf.String())
}

// lifecycleEqual reports whether the policy text read from ECR means the
// same as want: rules are compared by priority, tag lists as sets, and JSON
// formatting and key order do not matter. Text that does not parse is
// never equal.
func lifecycleEqual(text string, want LifecyclePolicy) bool {
	have, ok := parseLifecycle(text)
	return ok && marshal(normalizeLifecycle(have)) == marshal(normalizeLifecycle(want.doc()))
}

func normalizeLifecycle(d lcDoc) lcDoc {
	out := lcDoc{Rules: slices.Clone(d.Rules)}
	for i := range out.Rules {
		s := &out.Rules[i].Selection
		s.TagPrefixList = sortedSet(s.TagPrefixList)
		s.TagPatternList = sortedSet(s.TagPatternList)
		if s.StorageClass == "standard" {
			s.StorageClass = "" // the default
		}
	}
	sort.SliceStable(out.Rules, func(i, j int) bool { return out.Rules[i].RulePriority < out.Rules[j].RulePriority })
	return out
}

func sortedSet(l []string) []string {
	if len(l) == 0 {
		return nil
	}
	out := slices.Clone(l)
	slices.Sort(out)
	return slices.Compact(out)
}

var (
	tagPrefixRe  = regexp.MustCompile(`^[a-zA-Z0-9_.-]{1,128}$`)
	tagPatternRe = regexp.MustCompile(`^[a-zA-Z0-9_.*-]{1,128}$`)
)

// faults checks the rules as ECR does, and AWS's documented rules on
// priorities.
func (p LifecyclePolicy) faults(path string) []error {
	var errs []error
	bad := func(field, value, rule string) { errs = append(errs, specerr.New(pkg, path+field, value, rule)) }
	if len(p.Rules) == 0 {
		bad(".Rules", "", "must have at least one rule")
	}
	priorities := map[int]int{}
	maxPriority, anyRule := 0, -1
	for i, r := range p.Rules {
		f := fmt.Sprintf(".Rules[%d]", i)
		switch j, dup := priorities[r.Priority]; {
		case r.Priority < 1:
			bad(f+".Priority", fmt.Sprint(r.Priority), "must be a positive integer")
		case dup:
			bad(f+".Priority", fmt.Sprint(r.Priority), fmt.Sprintf("must be unique: Rules[%d] has it too", j))
		default:
			priorities[r.Priority] = i
		}
		maxPriority = max(maxPriority, r.Priority)
		if utf8.RuneCountInString(r.Description) > 256 {
			bad(f+".Description", "", "must be at most 256 characters")
		}
		switch r.TagStatus {
		case TagStatusTagged:
			if (len(r.TagPrefixes) > 0) == (len(r.TagPatterns) > 0) {
				bad(f, "", "a tagged rule needs exactly one of TagPrefixes and TagPatterns")
			}
		case TagStatusUntagged, TagStatusAny:
			if len(r.TagPrefixes) > 0 || len(r.TagPatterns) > 0 {
				bad(f, "", fmt.Sprintf("TagPrefixes and TagPatterns apply to tagged images only, not %q", r.TagStatus))
			}
			if r.TagStatus == TagStatusAny {
				if anyRule >= 0 {
					bad(f+".TagStatus", string(r.TagStatus), fmt.Sprintf("only one rule may select any images (Rules[%d] does)", anyRule))
				}
				anyRule = i
			}
		default:
			bad(f+".TagStatus", string(r.TagStatus), `must be "tagged", "untagged" or "any"`)
		}
		for j, pr := range r.TagPrefixes {
			if !tagPrefixRe.MatchString(pr) {
				bad(fmt.Sprintf("%s.TagPrefixes[%d]", f, j), pr, "must be 1 to 128 letters, digits, '_', '.' or '-'")
			}
		}
		for j, pt := range r.TagPatterns {
			switch {
			case !tagPatternRe.MatchString(pt):
				bad(fmt.Sprintf("%s.TagPatterns[%d]", f, j), pt, "must be 1 to 128 letters, digits, '_', '.', '-' or '*'")
			case strings.Count(pt, "*") > maxPatternStars:
				bad(fmt.Sprintf("%s.TagPatterns[%d]", f, j), pt, "must have at most 4 wildcards")
			}
		}
		switch r.CountType {
		case CountImagesMoreThan, CountDaysSincePushed, CountDaysSincePulled:
		default:
			bad(f+".CountType", string(r.CountType), `must be "imageCountMoreThan", "sinceImagePushed" or "sinceImagePulled"`)
		}
		if r.CountNumber < 1 {
			bad(f+".CountNumber", fmt.Sprint(r.CountNumber), "must be at least 1")
		}
	}
	if anyRule >= 0 && p.Rules[anyRule].Priority != maxPriority && p.Rules[anyRule].Priority > 0 {
		bad(fmt.Sprintf(".Rules[%d].Priority", anyRule), fmt.Sprint(p.Rules[anyRule].Priority),
			fmt.Sprintf("a rule with TagStatus \"any\" must have the highest priority number (%d is higher)", maxPriority))
	}
	if len(errs) == 0 {
		if n := utf8.RuneCountInString(p.render()); n < minLifecycleText || n > maxLifecycleText {
			bad("", "", fmt.Sprintf("renders to %d characters; ECR accepts %d to %d", n, minLifecycleText, maxLifecycleText))
		}
	}
	return errs
}

// LifecycleEqual reports whether two lifecycle policy texts mean the same to
// ECR: JSON formatting and key order, the order of the rules (they are
// ordered by priority) and of tag prefixes and patterns do not matter.
// Text that is not a lifecycle policy is never equal.
func LifecycleEqual(a, b string) bool {
	da, okA := parseLifecycle(a)
	db, okB := parseLifecycle(b)
	return okA && okB && marshal(normalizeLifecycle(da)) == marshal(normalizeLifecycle(db))
}

func parseLifecycle(text string) (lcDoc, bool) {
	var d lcDoc
	dec := json.NewDecoder(strings.NewReader(text))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&d); err != nil || dec.More() {
		return lcDoc{}, false
	}
	return d, true
}
